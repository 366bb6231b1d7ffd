"""The collaborators every action uses, built once on first use (never at import time).

Tests call ``set_services(...)`` with fakes; the action server builds the real ones from
``get_settings()`` the first time an action runs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.config import Settings, get_settings
from assistant.hms.clock import hospital_now
from assistant.hms.models import Staff
from assistant.hms.protocol import HmsClient
from assistant.rbac.policy import Policy, load_policy

STAFF_CACHE_SECONDS = 60.0


def utc_now() -> datetime:
    return hospital_now()


@dataclass
class StaffCache:
    """Username -> Staff for ~60 s, so each message does not re-read PractitionerRole."""

    ttl: float = STAFF_CACHE_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    _entries: dict[str, tuple[float, Staff | None]] = field(default_factory=dict)

    def get(self, username: str) -> tuple[bool, Staff | None]:
        hit = self._entries.get(username)
        if hit is None or hit[0] < self.monotonic():
            return False, None
        return True, hit[1]

    def put(self, username: str, staff: Staff | None) -> None:
        self._entries[username] = (self.monotonic() + self.ttl, staff)


@dataclass
class Services:
    settings: Settings
    hms: HmsClient  # acting as the assistant; actions use hms.with_actor(username)
    audit: Any  # assistant.audit.AuditSink
    policy: Policy
    tickets: Any | None = None  # assistant.handoff.tickets.TicketStore
    clock: Callable[[], datetime] = utc_now
    staff_cache: StaffCache = field(default_factory=StaffCache)


_services: Services | None = None


def _build() -> Services:
    from assistant.audit import open_audit_sink
    from assistant.hms.client import FhirHmsClient

    settings = get_settings()
    audit = open_audit_sink(settings)  # raises AuditWriteError: the server must not start
    return Services(
        settings=settings,
        hms=FhirHmsClient.from_settings(settings),
        audit=audit,
        policy=load_policy(),
        tickets=_ticket_store(settings),
    )


def _ticket_store(settings: Settings) -> Any | None:
    """The help-desk ticket store, or None (talk_to_human then says so) if not set up."""
    try:
        from assistant.crypto import DataCipher
        from assistant.handoff.tickets import TicketStore
        from assistant.store import open_store

        return TicketStore(open_store(settings), DataCipher.from_settings(settings))
    except Exception:  # missing data key or store: degrade only the handoff
        logging.getLogger(__name__).exception("help-desk ticket store unavailable")
        return None


def get_services() -> Services:
    global _services
    if _services is None:
        _services = _build()
    from assistant.practice.actions import practice_view  # practice mode (assistant/practice)

    return practice_view(_services)  # type: ignore[no-any-return]


def set_services(services: Services | None) -> None:
    """Install (or with None, forget) the services; for tests and the server's startup."""
    global _services
    _services = services


async def close_services() -> None:
    """Close the HMS client's pooled connections (the server's stop): an open pool left to
    the garbage collector at exit logs "Unclosed connector" while logging is torn down."""
    from assistant.practice.actions import close_practice_views

    await close_practice_views()
    if _services is not None:
        await _services.hms.aclose()
