"""The channel contract: a channel is a module with ``mount(app, ctx)``.

The gateway (``assistant.gateway.app.mount_channels``) mounts each configured channel on its
FastAPI app with the typed ``GatewayContext``; the channel adds its routes (or starts its
socket) and talks to ``ctx.assistant``. What a channel says and where a PHI reply may go
are the neutral ``assistant.conversation`` package (``Reply``, ``delivery``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.gateway.context import GatewayContext


class Channel(Protocol):
    """A channel module (``assistant.channels.rest``, ``.slack``, ``.kiosk``)."""

    def mount(self, app: FastAPI, ctx: GatewayContext) -> object:
        """Put the channel on ``app``; return what it built (or ``None`` when it is off)."""
        ...
