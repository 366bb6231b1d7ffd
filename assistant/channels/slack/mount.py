"""``mount(app, ctx)``: put the Slack channel on the gateway.

HTTP mode: ``POST /slack/events`` (Events API, interactivity and slash commands) through
bolt's FastAPI adapter. Socket Mode when ``SLACK_APP_TOKEN`` is set: the socket client is
started with the gateway and closed with it. Without a bot token (and a signing secret for
HTTP mode) nothing is mounted.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp

from .app import SlackConfig, build_app
from .audit import open_refusal_audit
from .dedupe import dedupe_from_settings
from .helpdesk import register_helpdesk
from .home import extras_from
from .identity import DirectoryFromFactory
from .ports import RefusalAudit
from .precheck import MAX_BODY_BYTES, precheck

if TYPE_CHECKING:
    from assistant.gateway.context import GatewayContext

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def mount(
    app: FastAPI, ctx: GatewayContext, *, refusal_audit: RefusalAudit | None = None
) -> AsyncApp | None:
    """``refusal_audit`` records refused Slack users (default: the audit trail)."""
    settings = ctx.settings
    token = settings.slack_bot_token
    socket_token = settings.slack_app_token
    secret = settings.slack_signing_secret
    if not token or not (secret or socket_token):
        logger.info(
            "Slack is off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN "
            "for Socket Mode)"
        )
        return None
    bolt = build_app(
        SlackConfig(bot_token=token, signing_secret=secret or "", api_url=settings.slack_api_url),
        assistant=ctx.assistant,
        directory=DirectoryFromFactory(ctx.hms),
        audit=refusal_audit or open_refusal_audit(settings),
        dedupe=dedupe_from_settings(settings),
        home_extras=extras_from(ctx.onboarding, ctx.practice)
        if ctx.onboarding is not None
        else None,
    )
    register_helpdesk(bolt, settings, ctx.handoff, directory=DirectoryFromFactory(ctx.hms))
    if socket_token:
        _run_socket_mode(app, bolt, socket_token)
        logger.info("Slack is on (Socket Mode)")
    else:
        handler = AsyncSlackRequestHandler(bolt)
        signing_secret = secret or ""

        @app.post(EVENTS_PATH, include_in_schema=False)
        async def slack_events(request: Request) -> Any:
            rejection = await _precheck(request, signing_secret)
            if rejection is not None:
                return rejection
            return await handler.handle(request)  # bolt re-reads the cached body

        logger.info("Slack is on (HTTP mode, %s)", EVENTS_PATH)
    return bolt


async def _precheck(request: Request, signing_secret: str) -> JSONResponse | None:
    """Refuse malformed or unsigned requests before bolt (see ``precheck``)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return JSONResponse({"detail": f"request body over {MAX_BODY_BYTES} bytes"}, 413)
    rejection = precheck(await request.body(), request.headers, signing_secret)
    if rejection is None:
        return None
    logger.info("Slack request refused before bolt: HTTP %s", rejection.status)
    return JSONResponse({"detail": rejection.detail}, status_code=rejection.status)


def _run_socket_mode(app: FastAPI, bolt: AsyncApp, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with original(application) as state:
            handler = AsyncSocketModeHandler(bolt, app_token, web_client=bolt.client)
            await handler.connect_async()
            try:
                yield state
            finally:
                await handler.close_async()

    app.router.lifespan_context = lifespan
