"""The action server's side of practice mode: practice principals use the training hospital.

``install(app)`` adds a Sanic request middleware to the action server that reads the
signed principal of the message being served; when it is valid and carries
``practice: true`` the request's context is marked, and ``practice_view(services)``
(called by ``actions.services.get_services``) then hands out the practice services:
the practice HMS (``PRACTICE_HMS_BASE_URL``), no help-desk ticket store (so no real
queue is ever reached), and an audit sink that marks each event ``[practice]``. Without a
practice HMS every HMS call fails as unavailable: a practice principal never reaches the
real hospital system.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
from typing import Any

from assistant.audit.events import AuditEvent
from assistant.hms.errors import Unavailable
from assistant.identity.principal import METADATA_KEY, PrincipalError, verify_principal

log = logging.getLogger(__name__)
MARK = "[practice]"
_practice: contextvars.ContextVar[bool] = contextvars.ContextVar("practice", default=False)
_views: dict[int, tuple[Any, Any]] = {}  # id(base services) -> (base, practice view)


class PracticeAudit:
    """Audit sink wrapper: every event is marked as practice (detail starts ``[practice]``)."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink

    def check(self) -> None:
        check = getattr(self._sink, "check", None)
        if callable(check):
            check()

    def record(self, event: AuditEvent) -> None:
        detail = f"{MARK} {event.detail}".strip()
        self._sink.record(dataclasses.replace(event, detail=detail))


class NoPracticeHms:
    """Stands in when no practice HMS is configured: every call is 'unavailable'."""

    def with_actor(self, username: str) -> NoPracticeHms:
        return self

    async def aclose(self) -> None:  # nothing open
        return None

    def __getattr__(self, name: str) -> Any:
        async def unavailable(*args: Any, **kwargs: Any) -> Any:
            raise Unavailable("no practice HMS configured (PRACTICE_HMS_BASE_URL)")

        return unavailable


def principal_is_practice(body: Any, key: str) -> bool:
    """True when the webhook body's message carries a valid principal with practice on."""
    try:
        tracker = body["tracker"]
        metadata = tracker["latest_message"].get("metadata") or {}
        sender = str(tracker["sender_id"])
        return verify_principal(key, metadata.get(METADATA_KEY), sender=sender).practice
    except (KeyError, TypeError, AttributeError, PrincipalError):
        return False


def install(app: Any, signing_key: Any) -> None:
    """Mark each webhook request whose principal is in practice mode (Sanic middleware)."""

    @app.on_request
    async def mark_practice(request: Any) -> None:
        if request.method != "POST" or not request.path.startswith("/webhook"):
            return
        try:
            body = request.json
        except Exception:
            return
        _practice.set(principal_is_practice(body, signing_key()))


def in_practice() -> bool:
    return _practice.get()


def practice_view(services: Any) -> Any:
    """``services`` itself, or (for a practice request) the practice services."""
    if not _practice.get() or services is None:
        return services
    cached = _views.get(id(services))
    if cached is None or cached[0] is not services:
        cached = _views[id(services)] = (services, _practice_services(services))
    return cached[1]


async def close_practice_views() -> None:
    """Close the practice HMS clients made so far (the action server's stop)."""
    views = list(_views.values())
    _views.clear()
    for _services, view in views:
        await view.hms.aclose()


def _practice_services(services: Any) -> Any:
    settings = services.settings
    base_url = getattr(settings, "practice_hms_base_url", "")
    if base_url:
        from assistant.hms.client import FhirHmsClient

        practice_settings = dataclasses.replace(settings, hms_base_url=base_url)
        hms: Any = FhirHmsClient.from_settings(practice_settings)
    else:
        log.error("practice principal but no PRACTICE_HMS_BASE_URL: HMS calls refused")
        practice_settings, hms = settings, NoPracticeHms()
    return dataclasses.replace(
        services,
        settings=practice_settings,
        hms=hms,
        audit=PracticeAudit(services.audit),
        tickets=None,  # practice never opens a help-desk ticket
        staff_cache=type(services.staff_cache)(),
    )
