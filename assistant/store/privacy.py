"""Retention, key rotation and data-subject rights over the assistant store.

Audit events are never touched here: they hold no PHI (references only) and are kept to
meet the hospital's legal obligation to account for access to records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from assistant.crypto import DataCipher
from assistant.store import Store, rowcount
from assistant.store.models import AuditEventRow, HelpdeskTicket, TicketMessage

ROTATE_BATCH = 500
ERASED_TEXT = "[erased]"


@dataclass(frozen=True)
class RotationResult:
    rotated: int
    remaining_old: int  # rows still under an older key (0 when done)


def rotate_keys(store: Store, cipher: DataCipher) -> RotationResult:
    """Re-encrypt every ticket message not under the newest key, in batches."""
    current = cipher.current_key_id
    rotated = 0
    while True:
        with store.write() as session:
            rows = (
                session.execute(
                    select(TicketMessage)
                    .where(TicketMessage.key_id != current)
                    .order_by(TicketMessage.id)
                    .limit(ROTATE_BATCH)
                )
                .scalars()
                .all()
            )
            for row in rows:
                row.body = cipher.rotate(row.body)
                row.key_id = current
        rotated += len(rows)
        if len(rows) < ROTATE_BATCH:
            break
    with store.read() as session:
        remaining = session.scalar(
            select(func.count()).select_from(TicketMessage).where(TicketMessage.key_id != current)
        )
    return RotationResult(rotated=rotated, remaining_old=int(remaining or 0))


def purge_messages(store: Store, retention_days: int, now: datetime | None = None) -> int:
    """Delete ticket messages (transcripts) older than the retention period; return count."""
    cutoff = (now or datetime.now(UTC)).astimezone(UTC) - timedelta(days=retention_days)
    with store.write() as session:
        return rowcount(session.execute(delete(TicketMessage).where(TicketMessage.at < cutoff)))


def _ticket_json(row: HelpdeskTicket) -> dict[str, Any]:
    return {
        "ticket_id": f"HD-{row.id:06d}",
        "requester": row.requester,
        "claimer": row.claimer,
        "channel": row.channel,
        "conversation_id": row.conversation_id,
        "reason": row.reason,
        "summary": json.loads(row.summary),
        "status": row.status,
        "rating": row.rating,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _audit_json(row: AuditEventRow) -> dict[str, Any]:
    names = ("seq", "staff", "role", "channel", "intent", "action", "permission", "resource")
    out: dict[str, Any] = {name: getattr(row, name) for name in names}
    out.update(
        patient_ref=row.patient_ref,
        outcome=row.outcome,
        detail=row.detail,
        reason=row.reason,
        at=row.at.isoformat(),
    )
    return out


def export_staff(store: Store, cipher: DataCipher, staff: str) -> dict[str, Any]:
    """Everything the store holds about a staff member (subject access request).

    Tickets they opened come with the whole decrypted transcript; tickets they claimed as a
    help-desk agent only with the agent's lines (the rest is the requester's data).
    """
    tickets_query = select(HelpdeskTicket).where(
        or_(HelpdeskTicket.requester == staff, HelpdeskTicket.claimer == staff)
    )
    audit_query = select(AuditEventRow).where(AuditEventRow.staff == staff)
    with store.read() as session:
        tickets = []
        for row in session.execute(tickets_query.order_by(HelpdeskTicket.id)).scalars():
            messages = session.execute(
                select(TicketMessage)
                .where(TicketMessage.ticket_id == row.id)
                .order_by(TicketMessage.id)
            ).scalars()
            entry = _ticket_json(row)
            entry["messages"] = [
                {"role": m.role, "text": cipher.decrypt(m.body), "at": m.at.isoformat()}
                for m in messages
                if row.requester == staff or m.role == "agent"
            ]
            tickets.append(entry)
        audit = [
            _audit_json(r)
            for r in session.execute(audit_query.order_by(AuditEventRow.seq)).scalars()
        ]
    return {"staff": staff, "tickets": tickets, "audit_events": audit}


@dataclass(frozen=True)
class ErasureResult:
    pseudonym: str
    tickets: int
    messages_deleted: int


def erase_staff(store: Store, cipher: DataCipher, staff: str) -> ErasureResult:
    """Erase a staff member's conversation data and pseudonymise them in tickets.

    Ticket messages of the tickets they opened are deleted, the free text of those tickets
    (reason, summary) is replaced, and their username becomes a keyed pseudonym wherever it
    appears as requester or claimer. Audit events are kept unchanged (legal obligation;
    they hold no PHI and the trail is append-only).
    """
    pseudonym = cipher.pseudonym(staff)
    now = datetime.now(UTC)
    with store.write() as session:
        own_ids = list(
            session.execute(
                select(HelpdeskTicket.id).where(HelpdeskTicket.requester == staff)
            ).scalars()
        )
        deleted = 0
        if own_ids:
            result = session.execute(
                delete(TicketMessage).where(TicketMessage.ticket_id.in_(own_ids))
            )
            deleted = rowcount(result)
            session.execute(
                update(HelpdeskTicket)
                .where(HelpdeskTicket.id.in_(own_ids))
                .values(
                    requester=pseudonym,
                    conversation_id=pseudonym,
                    reason=ERASED_TEXT,
                    summary=json.dumps({"erased": True}),
                    updated_at=now,
                )
            )
        claimed = session.execute(
            update(HelpdeskTicket)
            .where(HelpdeskTicket.claimer == staff)
            .values(claimer=pseudonym, updated_at=now)
        )
    return ErasureResult(pseudonym, len(own_ids) + rowcount(claimed), deleted)
