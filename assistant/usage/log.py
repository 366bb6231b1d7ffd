"""``UsageLog``: writes and reads ``usage_turn`` rows on the assistant store."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from assistant.store import Store, rowcount
from assistant.store.models import UsageTurn

Clock = Callable[[], datetime]
_INSERT = insert(UsageTurn)


def _now() -> datetime:
    return datetime.now(UTC)


def conversation_key(key: str, sender: str) -> str:
    """A keyed hash of the sender id: counts conversations without naming anyone."""
    return hmac.new(key.encode(), sender.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Turn:
    at: datetime
    channel: str
    role: str
    intent: str | None
    outcome: str
    kind: str | None
    latency_ms: int
    conversation: str
    practice: bool = False


def _turn(row: UsageTurn) -> Turn:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return Turn(
        at=at.astimezone(UTC),
        channel=row.channel,
        role=row.role,
        intent=row.intent,
        outcome=row.outcome,
        kind=row.kind,
        latency_ms=row.latency_ms,
        conversation=row.conversation,
        practice=bool(row.practice),
    )


class UsageLog:
    def __init__(self, store: Store, clock: Clock = _now) -> None:
        self._store = store
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    def record(self, turn: Turn) -> None:
        self.record_many([turn])

    def record_many(self, turns: Sequence[Turn]) -> None:
        """Rows in one transaction: a Core insert (no ORM session or unit of work)."""
        if not turns:
            return
        with self._store.engine.begin() as conn:
            conn.execute(_INSERT, [self._row(turn) for turn in turns])

    @staticmethod
    def _row(turn: Turn) -> dict[str, object]:
        return {
            "at": turn.at.astimezone(UTC),
            "channel": turn.channel[:30],
            "role": turn.role[:60],
            "intent": turn.intent,
            "outcome": turn.outcome,
            "kind": (turn.kind or None) and turn.kind[:120],
            "latency_ms": max(0, int(turn.latency_ms)),
            "conversation": turn.conversation,
            "practice": turn.practice,
        }

    def turns(self, start: datetime | None = None, end: datetime | None = None) -> list[Turn]:
        """Rows with ``start <= at < end`` (both optional), oldest first."""
        query = select(UsageTurn).order_by(UsageTurn.id)
        if start is not None:
            query = query.where(UsageTurn.at >= start.astimezone(UTC))
        if end is not None:
            query = query.where(UsageTurn.at < end.astimezone(UTC))
        with self._store.read() as session:
            return [_turn(r) for r in session.execute(query).scalars()]

    def purge(self, before: datetime) -> int:
        """Delete rows older than ``before`` (retention); return how many."""
        with self._store.write() as session:
            return rowcount(session.execute(delete(UsageTurn).where(UsageTurn.at < before)))
