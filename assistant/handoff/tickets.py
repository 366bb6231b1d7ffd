"""Help-desk handoff tickets on the assistant store.

A ticket is opened when the assistant hands a conversation to the help desk. Its
``summary`` and ``reason`` are shown in the shared help-desk channel, so they are scrubbed
of MRNs and patient names; the transcript (which may hold PHI) is stored encrypted, one
``ticket_message`` row per line, and only decrypted through ``messages()``.

Status: open -> claimed -> returned (to the assistant) -> resolved; any -> resolved;
open/claimed -> withdrawn (the requester no longer needs help).
Every transition is one conditional UPDATE, so concurrent claims have exactly one winner.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from assistant.crypto import DataCipher
from assistant.logging import REDACTED, redact_phi
from assistant.store import Store, rowcount, short_read
from assistant.store.models import HelpdeskTicket, TicketMessage

STATUSES = ("open", "claimed", "returned", "resolved", "withdrawn")
ACTIVE = ("open", "claimed")
ROLES = ("user", "bot", "agent")
_ID = re.compile(r"^HD-(\d{6,})$")
_PHI_KEY = re.compile(r"(?i)patient|name|mrn|dob|birth|text|message|transcript")

Clock = Callable[[], datetime]


class TicketError(Exception):
    """Base class of ticket errors."""


class TicketNotFound(TicketError):
    pass


class TicketStateError(TicketError):
    """The ticket is not in a state that allows this change (e.g. already claimed)."""

    def __init__(self, message: str, ticket: Ticket | None = None) -> None:
        super().__init__(message)
        self.ticket = ticket


class TicketAlreadyClaimed(TicketStateError):
    """Someone else claimed it first; ``ticket.claimer`` says who."""


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    requester: str
    channel: str
    conversation_id: str
    reason: str
    summary: dict[str, Any]
    status: str
    claimer: str | None
    created_at: datetime
    updated_at: datetime
    rating: int | None


def format_ticket_id(number: int) -> str:
    return f"HD-{number:06d}"


def parse_ticket_id(ticket_id: str) -> int:
    match = _ID.match(ticket_id)
    if match is None:
        raise TicketNotFound(f"not a ticket id: {ticket_id!r}")
    return int(match.group(1))


def scrub(value: Any) -> Any:
    """Remove MRNs and patient names from a summary: values under PHI-looking keys
    (patient, name, mrn, dob, text, message, transcript) entirely, and MRNs/"patient <Name>"
    from every other string."""
    if isinstance(value, str):
        return redact_phi(value)
    if isinstance(value, dict):
        return {str(k): REDACTED if _PHI_KEY.search(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_at(value: Any, default: datetime) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str) and value:
        return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return default


def _to_ticket(row: HelpdeskTicket) -> Ticket:
    return Ticket(
        ticket_id=format_ticket_id(row.id),
        requester=row.requester,
        channel=row.channel,
        conversation_id=row.conversation_id,
        reason=row.reason,
        summary=json.loads(row.summary),
        status=row.status,
        claimer=row.claimer,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        rating=row.rating,
    )


def _now() -> datetime:
    return datetime.now(UTC)


# the newest open or claimed ticket of a conversation (``TicketStore.active_for``)
_ACTIVE = (
    select(HelpdeskTicket)
    .where(HelpdeskTicket.status.in_(ACTIVE))
    .order_by(HelpdeskTicket.id.desc())
    .limit(1)
)
_ACTIVE_ID = _ACTIVE.with_only_columns(HelpdeskTicket.id).where(
    HelpdeskTicket.conversation_id == bindparam("conversation")
)


class TicketStore:
    def __init__(self, store: Store, cipher: DataCipher, clock: Clock = _now) -> None:
        self._store = store
        self._cipher = cipher
        self._clock = clock

    def _message(self, ticket: int, role: str, text: str, at: datetime) -> TicketMessage:
        if role not in ROLES:
            raise ValueError(f"message role must be one of {ROLES}, not {role!r}")
        body = self._cipher.encrypt(text)
        return TicketMessage(
            ticket_id=ticket, role=role, body=body, key_id=self._cipher.current_key_id, at=at
        )

    def open_ticket(
        self,
        requester: str,
        channel: str,
        conversation_id: str,
        reason: str,
        summary: dict[str, Any],
        transcript: Sequence[dict[str, Any]],
    ) -> Ticket:
        now = self._clock()
        with self._store.write() as session:
            row = HelpdeskTicket(
                requester=requester,
                channel=channel,
                conversation_id=conversation_id,
                reason=redact_phi(reason),
                summary=json.dumps(scrub(summary), sort_keys=True),
                status="open",
                claimer=None,
                created_at=now,
                updated_at=now,
                rating=None,
            )
            session.add(row)
            session.flush()
            for line in transcript:
                at = _parse_at(line.get("at"), now)
                session.add(self._message(row.id, line["role"], str(line["text"]), at))
            return _to_ticket(row)

    def get(self, ticket_id: str) -> Ticket:
        with self._store.read() as session:
            row = session.get(HelpdeskTicket, parse_ticket_id(ticket_id))
            if row is None:
                raise TicketNotFound(ticket_id)
            return _to_ticket(row)

    def messages(self, ticket_id: str) -> list[dict[str, str]]:
        number = parse_ticket_id(ticket_id)
        query = select(TicketMessage).where(TicketMessage.ticket_id == number)
        with self._store.read() as session:
            if session.get(HelpdeskTicket, number) is None:
                raise TicketNotFound(ticket_id)
            rows = session.execute(query.order_by(TicketMessage.id)).scalars().all()
            return [
                {
                    "role": m.role,
                    "text": self._cipher.decrypt(m.body),
                    "at": _utc(m.at).isoformat(),
                }
                for m in rows
            ]

    def add_message(self, ticket_id: str, role: str, text: str) -> None:
        number = parse_ticket_id(ticket_id)
        now = self._clock()
        with self._store.write() as session:
            row = session.get(HelpdeskTicket, number)
            if row is None:
                raise TicketNotFound(ticket_id)
            session.add(self._message(number, role, text, now))
            row.updated_at = now

    def _transition(
        self, ticket_id: str, allowed: Sequence[str], error: type[TicketStateError], **values: Any
    ) -> Ticket:
        number = parse_ticket_id(ticket_id)
        values["updated_at"] = self._clock()
        statement = (
            update(HelpdeskTicket)
            .where(HelpdeskTicket.id == number, HelpdeskTicket.status.in_(allowed))
            .values(**values)
        )
        with self._store.write() as session:
            changed = rowcount(session.execute(statement))
            row = session.get(HelpdeskTicket, number)
            if row is None:
                raise TicketNotFound(ticket_id)
            session.refresh(row)
            ticket = _to_ticket(row)
        if changed != 1:
            raise error(f"ticket {ticket_id} is {ticket.status}", ticket)
        return ticket

    def claim(self, ticket_id: str, agent: str) -> Ticket:
        """Claim an open ticket; raises TicketAlreadyClaimed if someone else got it first."""
        return self._transition(
            ticket_id, ("open",), TicketAlreadyClaimed, status="claimed", claimer=agent
        )

    def return_to_assistant(self, ticket_id: str) -> Ticket:
        return self._transition(ticket_id, ACTIVE, TicketStateError, status="returned")

    def withdraw(self, ticket_id: str) -> Ticket:
        """The requester withdrew an open or claimed ticket."""
        return self._transition(ticket_id, ACTIVE, TicketStateError, status="withdrawn")

    def resolve(self, ticket_id: str) -> Ticket:
        return self._transition(
            ticket_id, ("open", "claimed", "returned"), TicketStateError, status="resolved"
        )

    def rate(self, ticket_id: str, rating: int) -> Ticket:
        if not 1 <= rating <= 5:
            raise ValueError("rating must be 1..5")
        return self._transition(
            ticket_id, ("returned", "resolved"), TicketStateError, rating=rating
        )

    def open_tickets(self) -> list[Ticket]:
        """Tickets still with the help desk (open or claimed), oldest first."""
        query = select(HelpdeskTicket).where(HelpdeskTicket.status.in_(ACTIVE))
        with self._store.read() as session:
            rows = session.execute(query.order_by(HelpdeskTicket.id)).scalars().all()
            return [_to_ticket(r) for r in rows]

    async def active(self, conversation_id: str) -> Ticket | None:
        """``active_for`` for an async caller (``assistant.store.short_read``): asked on
        every message the gateway relays."""
        return await short_read(self._store, self.active_for, conversation_id)

    def active_for(self, conversation_id: str) -> Ticket | None:
        """The open or claimed ticket of this conversation, if any (newest)."""
        # asked on every message: most conversations have none, which a Core query on a
        # plain connection answers for a quarter of an ORM session's CPU; the statement is
        # built once (building it per call cost three times its execution)
        with self._store.engine.connect() as conn:
            found = conn.execute(_ACTIVE_ID, {"conversation": conversation_id}).first()
        if found is None:
            return None
        with self._store.read() as session:
            query = _ACTIVE.where(HelpdeskTicket.conversation_id == conversation_id)
            row = session.execute(query).scalar_one_or_none()
            return None if row is None else _to_ticket(row)
