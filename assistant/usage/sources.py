"""Reads the dashboard's other sources from the store: tickets and claim times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from assistant.store import Store
from assistant.store.models import AuditEventRow, HelpdeskTicket

from .report import CLAIM_ACTION, TicketFact, utc


def _ticket_id(number: int) -> str:
    return f"HD-{number:06d}"


def tickets(store: Store, start: datetime, end: datetime) -> list[TicketFact]:
    query = select(HelpdeskTicket).where(
        HelpdeskTicket.created_at >= start, HelpdeskTicket.created_at < end
    )
    with store.read() as session:
        return [
            TicketFact(
                ticket_id=_ticket_id(row.id),
                sender=row.conversation_id,
                channel=row.channel,
                created_at=utc(row.created_at),
                rating=row.rating,
            )
            for row in session.execute(query.order_by(HelpdeskTicket.id)).scalars()
        ]


def claims(store: Store, since: datetime) -> dict[str, datetime]:
    """Ticket id -> when it was first claimed (the audit trail's helpdesk_claim events)."""
    query = (
        select(AuditEventRow.resource, AuditEventRow.at)
        .where(
            AuditEventRow.action == CLAIM_ACTION,
            AuditEventRow.outcome == "success",
            AuditEventRow.at >= since,
        )
        .order_by(AuditEventRow.seq)
    )
    first: dict[str, datetime] = {}
    with store.read() as session:
        for resource, at in session.execute(query):
            ticket = str(resource or "").removeprefix("Ticket/")
            first.setdefault(ticket, utc(at))
    return first
