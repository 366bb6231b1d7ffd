"""Relay state of each ticket (table ``handoff_state``, migration ``0003_handoff``).

Beside the ticket (``TicketStore``) the relay keeps, per ticket: where its help-desk card
and the agent's relay thread are, how many ticket messages existed when it was handed off
(``base``) and how many have been relayed to the agent (``delivered``), whether the
requester was told once that their message went to the help desk, the reminder stage and
whether the rating was asked. Every change that must happen once is a conditional UPDATE,
so two gateway workers (or a restarted one) never post the same thing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    update,
)

from assistant.handoff.ports import Place
from assistant.handoff.tickets import parse_ticket_id
from assistant.store import Store
from assistant.store.models import TicketMessage

PENDING = "pending"  # card_ts while one worker is posting the card

metadata = MetaData()
handoff_state = Table(
    "handoff_state",
    metadata,
    Column("ticket_id", Integer, ForeignKey("helpdesk_ticket.id"), primary_key=True),
    Column("base", Integer, nullable=False, default=0),
    Column("delivered", Integer, nullable=False, default=0),
    Column("notified", Integer, nullable=False, default=0),
    Column("stage", Integer, nullable=False, default=0),
    Column("rating_asked", Integer, nullable=False, default=0),
    Column("card_channel", String(64)),
    Column("card_ts", String(32)),
    Column("relay_channel", String(64)),
    Column("relay_ts", String(32)),
    Column("agent_ref", String(64)),
)


@dataclass(frozen=True)
class RelayState:
    ticket_id: str
    base: int
    delivered: int
    notified: bool
    stage: int  # 0 announced or not yet, 1 reminded, 2 escalated to on-call
    rating_asked: bool
    card_channel: str | None
    card_ts: str | None
    relay_channel: str | None
    relay_ts: str | None
    agent_ref: str | None  # the claiming agent's id on the help-desk side (Slack user)

    @property
    def card_posted(self) -> bool:
        return bool(self.card_ts) and self.card_ts != PENDING


def _state(ticket_id: str, row: Any) -> RelayState:
    return RelayState(
        ticket_id=ticket_id,
        base=row.base,
        delivered=row.delivered,
        notified=bool(row.notified),
        stage=row.stage,
        rating_asked=bool(row.rating_asked),
        card_channel=row.card_channel,
        card_ts=row.card_ts,
        relay_channel=row.relay_channel,
        relay_ts=row.relay_ts,
        agent_ref=row.agent_ref,
    )


class RelayStateStore:
    """Reads and conditionally updates ``handoff_state`` rows on the assistant store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def message_count(self, ticket_id: str) -> int:
        number = parse_ticket_id(ticket_id)
        query = (
            select(func.count()).select_from(TicketMessage).where(TicketMessage.ticket_id == number)
        )
        with self._store.read() as session:
            return int(session.execute(query).scalar_one())

    def ensure(self, ticket_id: str) -> RelayState:
        """The ticket's state; created on first sight with ``base`` = messages so far."""
        number = parse_ticket_id(ticket_id)
        query = select(handoff_state).where(handoff_state.c.ticket_id == number)
        with self._store.write() as session:
            row = session.execute(query).first()
            if row is None:
                count = session.execute(
                    select(func.count())
                    .select_from(TicketMessage)
                    .where(TicketMessage.ticket_id == number)
                ).scalar_one()
                session.execute(
                    insert(handoff_state).values(
                        ticket_id=number,
                        base=count,
                        delivered=count,
                        notified=0,
                        stage=0,
                        rating_asked=0,
                    )
                )
                row = session.execute(query).first()
            return _state(ticket_id, row)

    def get(self, ticket_id: str) -> RelayState | None:
        number = parse_ticket_id(ticket_id)
        query = select(handoff_state).where(handoff_state.c.ticket_id == number)
        with self._store.read() as session:
            row = session.execute(query).first()
            return None if row is None else _state(ticket_id, row)

    def by_relay(self, channel: str, ts: str) -> str | None:
        """The ticket whose relay thread (or card thread) is ``channel``/``ts``."""
        from assistant.handoff.tickets import format_ticket_id

        c = handoff_state.c
        query = select(c.ticket_id).where(
            ((c.relay_channel == channel) & (c.relay_ts == ts))
            | ((c.card_channel == channel) & (c.card_ts == ts))
        )
        with self._store.read() as session:
            number = session.execute(query.order_by(c.ticket_id.desc()).limit(1)).scalar()
            return None if number is None else format_ticket_id(int(number))

    def _change(self, ticket_id: str, where: Any, **values: Any) -> bool:
        number = parse_ticket_id(ticket_id)
        statement = (
            update(handoff_state)
            .where(handoff_state.c.ticket_id == number)
            .where(where)
            .values(**values)
        )
        with self._store.write() as session:
            result: Any = session.execute(statement)
            return bool(result.rowcount == 1)

    def take_card(self, ticket_id: str) -> bool:
        """Reserve the right to post the card (only one worker posts it)."""
        return self._change(ticket_id, handoff_state.c.card_ts.is_(None), card_ts=PENDING)

    def set_card(self, ticket_id: str, channel: str | None, ts: str | None) -> None:
        self._change(
            ticket_id, handoff_state.c.ticket_id.isnot(None), card_channel=channel, card_ts=ts
        )

    def set_relay(self, ticket_id: str, channel: str, ts: str, agent_ref: str) -> None:
        self._change(
            ticket_id,
            handoff_state.c.ticket_id.isnot(None),
            relay_channel=channel,
            relay_ts=ts,
            agent_ref=agent_ref,
        )

    def take_delivery(self, ticket_id: str, seen: int, upto: int) -> bool:
        """Move ``delivered`` from ``seen`` to ``upto``; True for the one caller that did."""
        return self._change(ticket_id, handoff_state.c.delivered == seen, delivered=upto)

    def take_notice(self, ticket_id: str) -> bool:
        """True once per ticket: the requester is told their message went to the help desk."""
        return self._change(ticket_id, handoff_state.c.notified == 0, notified=1)

    def take_stage(self, ticket_id: str, current: int, new: int) -> bool:
        return self._change(ticket_id, handoff_state.c.stage == current, stage=new)

    def take_rating_ask(self, ticket_id: str) -> bool:
        return self._change(ticket_id, handoff_state.c.rating_asked == 0, rating_asked=1)


def card_of(state: RelayState | None) -> Place | None:
    if state is None or not state.card_posted or not state.card_channel:
        return None
    return Place(state.card_channel, str(state.card_ts))


def thread_of(state: RelayState | None) -> Place | None:
    if state is None or not state.relay_channel or not state.relay_ts:
        return None
    return Place(state.relay_channel, state.relay_ts)
