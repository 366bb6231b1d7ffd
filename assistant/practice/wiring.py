"""Builds the gateway's ``PracticeAssistant`` from settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.config import Settings
from assistant.conversation import Assistant
from assistant.onboarding.service import Onboarding

from .assistant import PracticeAssistant
from .mode import PracticeModes


def build_practice(
    settings: Settings,
    inner: Assistant,
    practice_inner: Assistant,
    onboarding: Onboarding,
    open_store: Callable[[], Any],
) -> PracticeAssistant:
    from intents.catalog import load_catalog

    return PracticeAssistant(
        inner,
        practice_inner,
        PracticeModes(open_store),
        onboarding,
        available=bool(settings.practice_hms_base_url),
        task_intents=tuple(i.name for i in load_catalog().tasks()),
    )
