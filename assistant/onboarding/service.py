"""``Onboarding``: role guides, open requests (and watches), and who has been welcomed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from assistant.store.models import HelpdeskTicket, OnboardingSeen
from assistant.usage.roles import RoleLookup

from .guide import RoleGuide, role_guide

log = logging.getLogger(__name__)
ACTIVE_TASK = ("requested", "received", "accepted", "in-progress", "ready", "on-hold")
ACTIVE_TICKET = ("open", "claimed")


@dataclass(frozen=True)
class OpenRequest:
    """A request still in progress. No free text (descriptions may hold PHI)."""

    ticket_id: str
    kind: str  # help (HMS Task) | helpdesk (handoff ticket)
    what: str  # help type, or "talk to the help desk"
    status: str
    priority: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket_id": self.ticket_id,
            "kind": self.kind,
            "what": self.what,
            "status": self.status,
            "priority": self.priority,
        }


Watches = Callable[[str], Awaitable[list[dict[str, Any]]]]


class Onboarding:
    def __init__(
        self,
        *,
        roles: RoleLookup,
        policy: Any,
        catalog: Any,
        hms: Callable[[], Any],
        open_store: Callable[[], Any] | None,
        audit: Callable[[], Any] | None = None,
        watches: Watches | None = None,
        emergency_number: str = "2222",
    ) -> None:
        self.roles = roles
        self.policy = policy
        self.catalog = catalog
        self._hms = hms
        self._open_store = open_store
        self._audit = audit
        self._watches = watches
        self.emergency_number = emergency_number

    async def guide(self, staff: str) -> RoleGuide:
        return role_guide(staff, await self.roles.roles(staff), self.policy, self.catalog)

    async def open_requests(self, staff: str, channel: str) -> list[OpenRequest]:
        """The staff member's open help requests (HMS) and help-desk tickets (store).

        Needs ``help:read``; the HMS read is audited like any guarded read.
        """
        roles = await self.roles.roles(staff)
        if not self.policy.allows(roles, "help:read"):
            return []
        found: list[OpenRequest] = []
        try:
            tasks = await self._hms().with_actor(staff).list_tasks(requester_username=staff)
        except Exception as exc:
            log.warning("open requests not read from the HMS: %s", type(exc).__name__)
            tasks = []
        else:
            await self._record(staff, roles, channel)
        for task in tasks:
            if task.status in ACTIVE_TASK and task.ticket_id:
                found.append(
                    OpenRequest(
                        task.ticket_id, "help", task.help_type or "help", task.status, task.priority
                    )
                )
        found.extend(await asyncio.to_thread(self._tickets, staff))
        return found

    def _tickets(self, staff: str) -> list[OpenRequest]:
        if self._open_store is None:
            return []
        query = select(HelpdeskTicket.id, HelpdeskTicket.status).where(
            HelpdeskTicket.requester == staff, HelpdeskTicket.status.in_(ACTIVE_TICKET)
        )
        try:
            with self._open_store().read() as session:
                rows = session.execute(query.order_by(HelpdeskTicket.id)).all()
        except Exception as exc:
            log.warning("help-desk tickets not read: %s", type(exc).__name__)
            return []
        return [
            OpenRequest(f"HD-{n:06d}", "helpdesk", "talk to the help desk", status)
            for n, status in rows
        ]

    async def _record(self, staff: str, roles: frozenset[str], channel: str) -> None:
        if self._audit is None:
            return
        from assistant.audit.events import AuditEvent

        granting = [r for r in sorted(roles) if self.policy.allows([r], "help:read")]
        event = AuditEvent(
            staff=staff,
            role=(granting or ["unknown"])[0],
            channel=channel,
            intent="check_request_status",
            action="onboarding_open_requests",
            permission="help:read",
            resource="Task?requester=" + staff,
            patient_ref=None,
            outcome="success",
        )
        try:
            await asyncio.to_thread(self._audit().record, event)
        except Exception as exc:
            log.error("audit of open-requests read failed: %s", type(exc).__name__)

    async def watches(self, staff: str) -> list[dict[str, Any]]:
        """Bed watches (when the HMS integration provides them); empty otherwise."""
        if self._watches is None:
            return []
        try:
            return await self._watches(staff)
        except Exception as exc:
            log.warning("watches not read: %s", type(exc).__name__)
            return []

    async def first_time(self, staff: str, channel: str) -> bool:
        """True once per staff member and channel (then remembered in the store).

        A pair this process has seen in the store stays seen: it is not asked again (the
        check runs on every message; a store write per message was most of its cost)."""
        if self._open_store is None:
            return False
        seen: set[tuple[str, str]] = self.__dict__.setdefault("_seen", set())
        if (staff, channel) in seen:
            return False
        first = await asyncio.to_thread(self._mark_seen, staff, channel)
        if first is None:  # not written: asked again next time
            return False
        seen.add((staff, channel))
        return first

    def _mark_seen(self, staff: str, channel: str) -> bool | None:
        try:
            with self._open_store().write() as session:  # type: ignore[misc]
                if session.get(OnboardingSeen, (staff, channel)) is not None:
                    return False
                session.add(OnboardingSeen(staff=staff, channel=channel, at=datetime.now(UTC)))
                return True
        except Exception as exc:  # a lost welcome is better than a failed turn
            log.warning("onboarding state not written: %s", type(exc).__name__)
            return None
