"""What the gateway hands each channel's ``mount(app, ctx)``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.channels.base import Assistant
from assistant.config import Settings
from assistant.identity.tokens import StaffTokens


@dataclass(frozen=True)
class GatewayContext:
    """Collaborators shared by the channels of one gateway process.

    ``hms`` returns the process's HMS client (``assistant.hms.protocol.HmsClient``; use
    ``.with_actor(username)`` to act for a staff member); ``open_store`` opens the assistant
    store (``None`` until one is configured); ``tokens`` verifies staff bearer tokens.
    """

    settings: Settings
    assistant: Assistant
    hms: Callable[[], Any]
    tokens: StaffTokens
    open_store: Callable[[], Any] | None = None
    clock: Callable[[], float] = time.time
    extras: dict[str, Any] = field(default_factory=dict)
