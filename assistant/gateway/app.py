"""The gateway's FastAPI application: channels, health, and the shared collaborators."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assistant.channels.base import Channel
from assistant.config import Settings, get_settings
from assistant.conversation import Assistant
from assistant.identity.tokens import (
    DEFAULT_TTL_SECONDS,
    CachedStaffDirectory,
    HmsStaffDirectory,
    RevocationList,
    StaffDirectory,
    StaffTokens,
    StoreRevocationList,
)
from assistant.ratelimit import (
    Rate,
    RateLimits,
    bearer_identify,
    install_rate_limits,
    limiter_factory,
)
from assistant.safety.gateway import (
    RESCUED_PATHS,
    EmergencyDesk,
    SafetyNet,
    SafetyNetAssistant,
    rescue_over_limit,
)

from .context import GatewayContext
from .errors import install_error_handlers
from .health import Check, default_checks, run_checks
from .heldclauses import held_clauses
from .payloads import payload_guard
from .rasa import HandoffRouter, RasaAssistant
from .throttle import ThrottledAssistant

log = logging.getLogger(__name__)

CHANNELS: tuple[str, ...] = ("rest", "slack", "kiosk")
DEFAULT_RATE_LIMIT_IP = "120/minute"
DEFAULT_RATE_LIMIT_USER = "30/minute"
_OFF = ("off", "none", "0")


def token_ttl(settings: Settings) -> int:
    """``STAFF_TOKEN_TTL`` (seconds); 8 hours when unset or 0."""
    return settings.staff_token_ttl or DEFAULT_TTL_SECONDS


def rate_setting(settings: Settings, name: str, default: str) -> Rate | None:
    """``RATE_LIMIT_IP`` / ``RATE_LIMIT_USER`` (e.g. ``30/minute``; ``off`` disables)."""
    text = str(getattr(settings, name.lower()) or default).strip()
    return None if text.lower() in _OFF else Rate.parse(text)


def install_gateway_rate_limits(
    app: FastAPI, settings: Settings, tokens: StaffTokens, net: SafetyNet | None = None
) -> RateLimits:
    """Per-IP limits on every request but ``/healthz``; per-staff on bearer-token requests.

    With the safety net, an emergency typed over the limit is still answered (REST and
    kiosk text): see ``assistant.safety.gateway.rescue_over_limit``.
    """
    return install_rate_limits(
        app,
        limiter_factory(settings),
        per_ip=rate_setting(settings, "RATE_LIMIT_IP", DEFAULT_RATE_LIMIT_IP),
        per_user=rate_setting(settings, "RATE_LIMIT_USER", DEFAULT_RATE_LIMIT_USER),
        identify=bearer_identify(tokens.verify),
        # Slack: signed, from Slack's shared addresses
        exempt=("/healthz", "/livez", "/slack/events"),
        rescue=rescue_over_limit(net) if net is not None else None,
        rescue_paths=RESCUED_PATHS,
    )


def _warmed(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("safety net did not load: %s", type(task.exception()).__name__)


def store_opener(settings: Settings) -> Callable[[], Any]:
    """Opens the assistant store once, on first use (never at import or app build time)."""

    @functools.cache
    def opener() -> Any:
        from assistant.store import open_store

        return open_store(settings)

    return opener


def default_revocations(open_store: Callable[[], Any]) -> RevocationList:
    """Revocations in the assistant store (``revoked_token``), shared by all processes."""
    return StoreRevocationList(open_store)


class _LazyHms:
    """Builds the process's HMS client on first use (never at import time)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Any = None

    def __call__(self) -> Any:
        if self._client is None:
            from assistant.hms.client import FhirHmsClient

            self._client = FhirHmsClient.from_settings(self._settings)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


class _DirectoryViaFactory:
    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory

    async def is_active_staff(self, username: str) -> bool:
        return await HmsStaffDirectory(self._factory()).is_active_staff(username)


def build_handoff_service(settings: Settings, open_store: Callable[[], Any]) -> Any:
    """The help-desk ``HandoffService`` (assistant/handoff), or ``None`` if it cannot start."""
    from assistant.handoff.factory import build_handoff

    try:
        return build_handoff(settings, open_store())
    except Exception as exc:
        log.error("help-desk handoff is off: %s", type(exc).__name__)
        return None


def create_app(
    settings: Settings | None = None,
    *,
    assistant: Assistant | None = None,
    handoff: HandoffRouter | None = None,
    hms: Callable[[], Any] | None = None,
    tokens: StaffTokens | None = None,
    revocations: RevocationList | None = None,
    directory: StaffDirectory | None = None,
    open_store: Callable[[], Any] | None = None,
    clock: Callable[[], float] = time.time,
    health_checks: Mapping[str, Check] | None = None,
    channels: Sequence[str] = CHANNELS,
    with_handoff: bool = True,
    with_watches: bool = True,
    safety: SafetyNet | None = None,
    record_usage: bool | None = None,
) -> FastAPI:
    """Build the gateway; every collaborator can be injected (tests), else built from settings."""
    settings = settings or get_settings()
    own_store = open_store is None
    open_store = open_store or store_opener(settings)
    lazy_hms = _LazyHms(settings) if hms is None else None
    hms_factory: Callable[[], Any] = hms or lazy_hms  # type: ignore[assignment]
    service: Any = None
    practice: Any = None
    rasa: RasaAssistant | None = None
    if assistant is None:
        from assistant.clauses import build_splitter

        rasa = RasaAssistant(
            workers=settings.rasa_urls,
            signing_key=settings.principal_key,
            principal_ttl=settings.principal_ttl_seconds,
            emergency_number=settings.emergency_number,
            handoff=handoff,
            webhook_token=settings.rasa_webhook_token,
            payloads=payload_guard(settings),
            held=held_clauses(settings),  # in Redis when REDIS_URL is set
            clauses=build_splitter(settings),  # several requests in one message
            in_flight=settings.rasa_in_flight,
        )
        assistant = rasa
        if handoff is None and with_handoff:
            service = build_handoff_service(settings, open_store)
        if service is not None:  # docs/handoff.md "Wiring (gateway)"
            from assistant.handoff.triggers import EscalatingAssistant

            rasa.handoff = service
            assistant = EscalatingAssistant(rasa, service)
            service.attach_assistant(assistant)
    if tokens is None:
        tokens = StaffTokens(
            settings.signing_key,
            revocations=revocations or default_revocations(open_store),
            directory=CachedStaffDirectory(
                directory or _DirectoryViaFactory(hms_factory), clock=clock
            ),
            ttl=token_ttl(settings),
            clock=clock,
        )
    checks = dict(health_checks) if health_checks is not None else default_checks(settings)
    # adoption: usage records + "not understood" capture (assistant/usage), role guides and
    # the first-time welcome (assistant/onboarding), staff pages (assistant/pages)
    from assistant.onboarding.welcome import WelcomingAssistant
    from assistant.onboarding.wiring import build_onboarding
    from assistant.usage.roles import RoleLookup

    roles = RoleLookup(hms_factory)
    onboarding = build_onboarding(settings, roles, hms_factory, open_store)
    recorder: Any = None
    usage: Any = None  # the usage rows' write-behind buffer (assistant/usage/buffer.py)
    if record_usage if record_usage is not None else rasa is not None:
        from assistant.usage.wiring import build_recorder, usage_buffer

        usage = usage_buffer(open_store)
        recorder = build_recorder(settings, assistant, open_store, roles, usage)
        assistant = WelcomingAssistant(recorder, onboarding)
        if rasa is not None:  # practice turns: straight to Rasa, never to the help desk
            from assistant.practice.wiring import build_practice

            practice_recorder = build_recorder(settings, rasa, open_store, roles, usage)
            practice = build_practice(
                settings, assistant, practice_recorder, onboarding, open_store
            )
            assistant = practice

    background: list[asyncio.Task[None]] = []
    # for an emergency said while a break-glass reason is asked (assistant/safety/gateway.py)
    from assistant.gateway.reported import ReportedQuestion

    reported = (
        ReportedQuestion.over(settings.rasa_urls, settings.rasa_auth_token)
        if rasa is not None
        else None
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if service is not None:
            await service.start()
        warm = asyncio.create_task(app.state.safety.ready())  # build the detector off-loop
        warm.add_done_callback(_warmed)
        if with_watches:
            background.extend(start_bed_watches(settings, open_store, hms_factory))
        yield
        warm.cancel()
        for task in background:
            task.cancel()
        if service is not None:
            await service.aclose()
        if rasa is not None:
            await rasa.aclose()
        if reported is not None:
            await reported.aclose()
        if recorder is not None:
            await recorder.aclose()
        if practice is not None:
            await practice.practice_inner.aclose()
        if lazy_hms is not None:
            await lazy_hms.aclose()
        cache_info = getattr(open_store, "cache_info", None)
        if own_store and cache_info is not None and cache_info().currsize:
            open_store().close()

    app = FastAPI(title="HMS Staff Assistant gateway", lifespan=lifespan)
    install_error_handlers(app)
    net = safety or SafetyNet(settings.emergency_number)
    limits = install_gateway_rate_limits(app, settings, tokens, net)
    desk = cast(
        "EmergencyDesk | None",
        service if service is not None else (handoff if hasattr(handoff, "emergency") else None),
    )
    # the help desk the channels get: the one built here, or an injected HandoffService
    from assistant.handoff.relay import HandoffService

    helpdesk = service if service is not None else handoff
    helpdesk = helpdesk if isinstance(helpdesk, HandoffService) else None
    ctx = GatewayContext(
        settings=settings,
        # the safety net first, so no rate limit or handoff ever holds up an emergency
        assistant=SafetyNetAssistant(
            ThrottledAssistant(assistant, limits),
            net,
            desk=desk,
            reported=reported,
            cleaning=reported.cleaning if reported is not None else None,
        ),
        hms=hms_factory,
        tokens=tokens,
        open_store=open_store,
        clock=clock,
        handoff=helpdesk,
        onboarding=onboarding,
        practice=practice,
        usage=usage,
    )
    app.state.ctx = ctx
    app.state.safety = net

    @app.get("/livez")
    async def livez() -> JSONResponse:
        """This process answers (the load balancer's check; ``/healthz`` checks the rest)."""
        return JSONResponse({"status": "ok"})

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        results = await run_checks(checks)
        down = [name for name, state in results.items() if state != "ok"]
        body = {"status": "down" if down else "ok", "checks": results, "down": down}
        return JSONResponse(body, status_code=503 if down else 200)

    app.state.channels = mount_channels(app, ctx, channels)
    from assistant.pages.mount import mount_pages

    mount_pages(app, ctx, roles)
    return app


def start_bed_watches(
    settings: Settings, open_store: Callable[[], Any], hms: Callable[[], Any]
) -> list[asyncio.Task[None]]:
    """The "bed freed" notifier (assistant/watches): Slack DM when Slack is set up, else the
    kiosk inbox. Off (logged) if the store cannot be opened."""
    try:
        from assistant.channels.slack.notices import slack_dm_channel
        from assistant.watches.factory import build_watch_service

        first = []
        dm = slack_dm_channel(settings)
        if dm is not None:
            first.append(dm)
        watcher = build_watch_service(settings, open_store(), hms, first=first)
    except Exception as exc:
        log.error("bed watch notices are off: %s", type(exc).__name__)
        return []
    return [asyncio.get_running_loop().create_task(watcher.run())]


def available_channels() -> dict[str, Channel]:
    """The channel modules by name (each a ``Channel``: ``mount(app, ctx)``)."""
    from assistant.channels import kiosk, rest, slack

    return {"rest": rest, "slack": slack, "kiosk": kiosk}


def mount_channels(app: FastAPI, ctx: GatewayContext, names: Sequence[str]) -> list[str]:
    """Mount the named channels; return the names mounted (an unknown name is logged)."""
    channels = available_channels()
    mounted = []
    for name in names:
        channel = channels.get(name)
        if channel is None:
            log.warning("no channel %s (known: %s); skipped", name, ", ".join(channels))
            continue
        channel.mount(app, ctx)
        mounted.append(name)
    log.info("gateway channels: %s", ", ".join(mounted) or "none")
    return mounted
