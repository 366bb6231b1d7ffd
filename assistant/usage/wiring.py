"""Builds the gateway's ``UsageRecorder`` (with the review capture) from settings."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from assistant.config import Settings
from assistant.conversation import Assistant

from .buffer import UsageBuffer
from .log import UsageLog
from .recorder import UsageRecorder
from .roles import RoleLookup

log = logging.getLogger(__name__)


def usage_buffer(open_store: Callable[[], Any]) -> UsageBuffer:
    """The gateway's one write-behind buffer of usage rows (shared by its recorders)."""
    return UsageBuffer(_guarded(lambda: UsageLog(open_store())))


def _guarded(factory: Callable[[], Any]) -> Callable[[], Any]:
    @functools.cache
    def made() -> Any:
        return factory()

    def get() -> Any:
        try:
            return made()
        except Exception as exc:  # recording never stops a turn
            log.warning("usage store unavailable: %s", type(exc).__name__)
            return None

    return get


def build_recorder(
    settings: Settings,
    inner: Assistant,
    open_store: Callable[[], Any],
    roles: RoleLookup,
    buffer: UsageBuffer | None = None,
) -> UsageRecorder:
    from assistant.crypto import DataCipher
    from assistant.review.capture import ReviewCapture
    from assistant.review.peek import TrackerNlu
    from assistant.review.queue import ReviewQueue
    from intents.catalog import load_catalog

    misses = ReviewCapture(
        _guarded(lambda: ReviewQueue(open_store(), DataCipher.from_settings(settings))),
        TrackerNlu(settings.rasa_urls, settings.rasa_auth_token),
    )
    return UsageRecorder(
        inner,
        usage=buffer or usage_buffer(open_store),
        roles=roles,
        key=settings.signing_key,
        intents=tuple(i.name for i in load_catalog().tasks()),
        misses=misses,
    )
