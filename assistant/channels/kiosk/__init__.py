"""The voice kiosk channel: ``mount(app, ctx)`` adds the page and API under ``/kiosk/``.

Heavy collaborators (speech engines, the store) are built on first use, never at import
or mount time; the background task (bed board refresh, queued help requests) starts on
the first request.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import FastAPI

from assistant.channels.kiosk.api import build_router
from assistant.channels.kiosk.badges import BadgeStore
from assistant.channels.kiosk.downtime import BoardCache, HelpQueue
from assistant.channels.kiosk.guard import ActionServerReplay, BoardGuard
from assistant.channels.kiosk.guide import build_guide_router
from assistant.channels.kiosk.options import KioskOptions
from assistant.channels.kiosk.service import KioskService
from assistant.channels.kiosk.sessions import MemorySessionStore, RedisSessionStore
from assistant.channels.kiosk.shared import RedisAudioStore, RedisPendingHelp
from assistant.channels.kiosk.speech.factory import make_stt, make_tts

if TYPE_CHECKING:
    from assistant.gateway.context import GatewayContext

log = logging.getLogger(__name__)
REFRESH_SECONDS = 60.0
T = TypeVar("T")


def _shared_state(ctx: GatewayContext, options: KioskOptions) -> dict[str, Any]:
    """Sessions, reply audio and pending help: Redis (any gateway worker can serve any
    kiosk request) when ``REDIS_URL`` is set, else this process."""
    if not ctx.settings.redis_url:
        return {"sessions": MemorySessionStore(options.idle_seconds, ctx.clock)}
    import redis.asyncio as aioredis

    from assistant.crypto import DataCipher

    client = aioredis.from_url(ctx.settings.redis_url, decode_responses=True)
    cipher = DataCipher.from_settings(ctx.settings)
    return {
        "sessions": RedisSessionStore(client, options.idle_seconds, ctx.clock),
        "audio": RedisAudioStore(client, cipher),
        "pending": RedisPendingHelp(client, cipher),
    }


def _ward_codes(options: KioskOptions) -> tuple[str, ...]:
    import json

    try:
        manifest = json.loads((options.speech_dir / "manifest.json").read_text())
        return tuple(manifest.get("ward_codes", ()))
    except (OSError, ValueError):
        return ()


def once(factory: Callable[[], T]) -> Callable[[], T]:
    """A thread-safe lazy singleton: ``factory`` runs at most once (unless it raises)."""
    lock = threading.Lock()
    made: list[T] = []

    def get() -> T:
        with lock:
            if not made:
                made.append(factory())
            return made[0]

    return get


def _policy() -> Any:
    from assistant.rbac.policy import load_policy

    return load_policy()


def _audit(settings: Any) -> Any:
    from assistant.audit import open_audit_sink

    return open_audit_sink(settings)


def replay_for(settings: Any) -> ActionServerReplay:
    """Queued downtime requests go to the action server's guarded action."""
    return ActionServerReplay(
        settings.action_url, settings.principal_key, ttl=settings.principal_ttl_seconds
    )


def build_service(ctx: GatewayContext, options: KioskOptions | None = None) -> KioskService:
    options = options or KioskOptions.from_settings(ctx.settings)

    @once
    def cipher() -> Any:
        from assistant.crypto import DataCipher

        return DataCipher.from_settings(ctx.settings)

    @once
    def engine() -> Any:
        if ctx.open_store is not None:
            return ctx.open_store().engine
        from assistant.store import open_store

        return open_store(ctx.settings).engine

    return KioskService(
        assistant=ctx.assistant,
        **_shared_state(ctx, options),
        badges=once(lambda: BadgeStore(engine(), ctx.clock)),
        stt=once(
            lambda: make_stt(
                options.stt_engine,
                speech_dir=options.speech_dir,
                whisper_model_dir=options.whisper_model_dir,
                max_seconds=options.max_seconds,
            )
        ),
        tts=once(lambda: make_tts(options.tts_engine)),
        board=BoardCache(options.state_dir / "board.json"),
        queue=once(lambda: HelpQueue(engine(), ctx.clock, cipher)),
        guard=BoardGuard(ctx.hms, once(_policy), once(lambda: _audit(ctx.settings))),
        ward_codes=_ward_codes(options),
        max_seconds=float(options.max_seconds),
        idle_seconds=options.idle_seconds,
        clock=ctx.clock,
        tz=ctx.settings.hospital_tz,
        inbox=lambda: _handoff_inbox(ctx),
    )


def _utc(epoch: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC)


def _handoff_inbox(ctx: GatewayContext) -> Any:
    return ctx.handoff.inbox if ctx.handoff is not None else None


def mount(app: FastAPI, ctx: GatewayContext) -> KioskService:
    service = build_service(ctx)
    replay = replay_for(ctx.settings)
    started: list[asyncio.Task[None]] = []

    async def loop() -> None:
        while True:
            try:
                hms = ctx.hms()
                if hms is None:
                    return
                await service.background_once(hms, replay)
            except Exception as exc:
                log.warning("kiosk background pass failed: %s", type(exc).__name__)
            await asyncio.sleep(REFRESH_SECONDS)

    def ensure_background() -> None:
        if not started:
            started.append(asyncio.get_running_loop().create_task(loop()))

    @once
    def notice_store() -> Any:
        from assistant.watches.store import NoticeStore

        store = ctx.open_store() if ctx.open_store is not None else None
        if store is None:
            from assistant.store import open_store

            store = open_store(ctx.settings)
        return NoticeStore(store, clock=lambda: _utc(ctx.clock()))

    def notices(staff: str) -> list[dict[str, Any]]:
        taken: list[dict[str, Any]] = notice_store().take(staff)
        return taken

    app.include_router(build_router(service, on_request=ensure_background, notices=notices))
    app.include_router(build_guide_router(service, ctx.onboarding, ctx.practice))
    app.state.kiosk = service
    return service
