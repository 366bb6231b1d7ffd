"""``mount_pages(app, ctx, roles)``: the staff session, dashboard, review page, /metrics."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from assistant.usage.roles import RoleLookup

from . import dashboard, review
from .auth import PageAuth, session_router

if TYPE_CHECKING:
    from assistant.gateway.context import GatewayContext

log = logging.getLogger(__name__)


def mount_pages(app: FastAPI, ctx: GatewayContext, roles: RoleLookup) -> None:
    from assistant.crypto import DataCipher
    from assistant.rbac.policy import load_policy
    from assistant.review.queue import ReviewQueue
    from assistant.store import open_store as open_settings_store
    from intents.catalog import load_catalog

    settings = ctx.settings
    open_store = ctx.open_store or functools.partial(open_settings_store, settings)
    auth = PageAuth(ctx.tokens, roles, load_policy())
    catalog = load_catalog()

    @functools.cache
    def queue() -> ReviewQueue:
        return ReviewQueue(open_store(), DataCipher.from_settings(settings))

    app.include_router(session_router(auth))
    app.include_router(
        dashboard.build_router(
            auth,
            open_store,
            key=settings.signing_key,
            tz=ZoneInfo(settings.hospital_tz),
            metrics_token=settings.metrics_token,
            flush=ctx.usage.flush if ctx.usage is not None else None,
        )
    )
    app.include_router(
        review.build_router(
            auth,
            queue,
            intents=tuple((i.name, i.description) for i in catalog.intents),
            entities=tuple(sorted(catalog.entities())),
        )
    )
    log.info("staff pages are on: /dashboard/, /review/, /metrics")
