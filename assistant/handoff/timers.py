"""Timers of the relay: announce unposted cards, re-announce, escalate to on-call.

``tick(service)`` is idempotent and safe on every worker at once: each step is taken by a
conditional UPDATE in the store (``handoff_state.stage``), so with two workers (or after
a restart) a ticket is reminded once and escalated once. Time comes from the service's
injected clock; reminders fire ``remind_after`` after the ticket was opened and the
escalation ``escalate_after`` later.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from assistant.handoff.relay import LEASE_SECONDS
from assistant.handoff.state import card_of
from assistant.handoff.tickets import Ticket

if TYPE_CHECKING:
    from assistant.handoff.relay import HandoffService

log = logging.getLogger(__name__)


async def _open_ticket(service: HandoffService, ticket: Ticket, counts: dict[str, int]) -> None:
    desk = service.desk
    tid = ticket.ticket_id
    state = await service._db(service.state.ensure, tid)
    if state.card_ts is None and desk is not None and await service.announce(tid):
        counts["announced"] += 1
        state = await service._db(service.state.get, tid)
    if desk is None or not state.card_posted:
        return
    age = service.clock() - ticket.created_at
    stage = state.stage
    if stage == 0 and age >= service.remind_after:
        if await service._db(service.state.take_stage, tid, 0, 1):
            await desk.remind(ticket, card_of(state))
            counts["reminded"] += 1
        stage = 1
    if stage == 1 and age >= service.remind_after + service.escalate_after:
        if await service._db(service.state.take_stage, tid, 1, 2):
            await desk.escalate(ticket, card_of(state))
            counts["escalated"] += 1


async def tick(service: HandoffService) -> dict[str, int]:
    counts = {"announced": 0, "reminded": 0, "escalated": 0, "flushed": 0}
    active = await service._db(service.tickets.open_tickets)
    live = set()
    for ticket in active:
        live.add(ticket.ticket_id)
        try:
            if ticket.status == "open":
                await _open_ticket(service, ticket, counts)
            else:
                counts["flushed"] += await service.flush(ticket.ticket_id)
        except Exception as exc:  # one bad ticket must not stop the others
            log.error("handoff tick failed for %s: %s", ticket.ticket_id, type(exc).__name__)
    for topic in service.bus.subscribed():
        ticket_id = topic.split(":", 1)[0]
        if ticket_id in live:
            await service.bus.lease(topic + ":owner", service.worker, LEASE_SECONDS)
        else:
            await service.bus.unsubscribe(topic)
    return counts


async def run_forever(service: HandoffService, interval: float) -> None:
    while True:
        try:
            await tick(service)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("handoff tick failed: %s", type(exc).__name__)
        await asyncio.sleep(interval)
