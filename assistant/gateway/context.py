"""What the gateway hands each channel's ``mount(app, ctx)`` (``assistant.channels.base``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.conversation import Assistant
from assistant.identity.tokens import StaffTokens

if TYPE_CHECKING:
    from assistant.handoff.relay import HandoffService
    from assistant.onboarding.service import Onboarding
    from assistant.practice.assistant import PracticeAssistant
    from assistant.usage.buffer import UsageBuffer


@dataclass(frozen=True)
class GatewayContext:
    """Collaborators shared by the channels of one gateway process, each passed explicitly.

    ``hms`` returns the process's HMS client (``assistant.hms.protocol.HmsClient``; use
    ``.with_actor(username)`` to act for a staff member); ``open_store`` opens the assistant
    store (``None`` until one is configured); ``usage`` holds the usage rows not yet written
    (``None`` when usage is not recorded: readers flush it first); ``tokens`` verifies staff
    bearer tokens; ``handoff`` is the help desk (``None`` when it is off); ``onboarding``
    and ``practice`` the adoption features (role guides and welcome; practice mode, ``None``
    when off).
    """

    settings: Settings
    assistant: Assistant
    hms: Callable[[], Any]
    tokens: StaffTokens
    open_store: Callable[[], Any] | None = None
    clock: Callable[[], float] = time.time
    handoff: HandoffService | None = None
    onboarding: Onboarding | None = None
    practice: PracticeAssistant | None = None
    usage: UsageBuffer | None = None
