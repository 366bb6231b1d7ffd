"""A ``GatewayContext`` for mounting one channel in a test (no gateway around it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from assistant.config import Settings
from assistant.gateway.context import GatewayContext
from assistant.identity.tokens import InMemoryRevocationList, StaffTokens


class EveryoneActive:
    async def is_active_staff(self, username: str) -> bool:
        return True


def channel_context(
    settings: Settings,
    assistant: Any,
    *,
    hms: Callable[[], Any] = lambda: None,
    open_store: Callable[[], Any] | None = None,
    clock: Callable[[], float] = time.time,
    tokens: StaffTokens | None = None,
    **collaborators: Any,
) -> GatewayContext:
    """The context the gateway would hand a channel; ``collaborators`` are ``handoff``,
    ``onboarding`` and ``practice`` (each ``None`` unless given)."""
    tokens = tokens or StaffTokens(
        settings.signing_key or "test-signing-key-0123456789abcdef",
        revocations=InMemoryRevocationList(),
        directory=EveryoneActive(),
    )
    return GatewayContext(settings, assistant, hms, tokens, open_store, clock, **collaborators)
