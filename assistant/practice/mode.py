"""Who is in practice mode (``practice_mode`` table) and the conversation namespace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select

from assistant.store import Store, rowcount, short_read
from assistant.store.models import PracticeModeRow

PRACTICE_PREFIX = "practice-"
LABEL = "PRACTICE \u2014 nothing is real."


def is_practice(conversation: str) -> bool:
    return conversation.startswith(PRACTICE_PREFIX)


def practice_conversation(conversation: str) -> str:
    return conversation if is_practice(conversation) else PRACTICE_PREFIX + conversation


_MODE = select(PracticeModeRow.staff, PracticeModeRow.since, PracticeModeRow.tour_done).where(
    PracticeModeRow.staff == bindparam("staff")
)


@dataclass(frozen=True)
class PracticeState:
    staff: str
    since: datetime
    done: tuple[str, ...]  # tour steps (intents) done


class PracticeModes:
    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store

    def get(self, staff: str) -> PracticeState | None:
        # read on every message: a Core query built once, on a plain connection
        with self._store().engine.connect() as conn:
            row = conn.execute(_MODE, {"staff": staff}).first()
        if row is None:
            return None
        since = row.since if row.since.tzinfo else row.since.replace(tzinfo=UTC)
        done = tuple(d for d in (row.tour_done or "").split(",") if d)
        return PracticeState(row.staff, since, done)

    async def read(self, staff: str) -> PracticeState | None:
        """``get`` for an async caller (``assistant.store.short_read``)."""
        return await short_read(self._store(), self.get, staff)

    def turn_on(self, staff: str) -> PracticeState:
        with self._store().write() as session:
            row = session.get(PracticeModeRow, staff)
            if row is None:
                row = PracticeModeRow(staff=staff, since=datetime.now(UTC), tour_done="")
                session.add(row)
        state = self.get(staff)
        assert state is not None
        return state

    def turn_off(self, staff: str) -> bool:
        with self._store().write() as session:
            return bool(
                rowcount(
                    session.execute(delete(PracticeModeRow).where(PracticeModeRow.staff == staff))
                )
            )

    def mark_done(self, staff: str, intent: str) -> tuple[str, ...]:
        with self._store().write() as session:
            row = session.get(PracticeModeRow, staff)
            if row is None:
                return ()
            done = [d for d in (row.tour_done or "").split(",") if d]
            if intent not in done:
                done.append(intent)
                row.tour_done = ",".join(done)
            return tuple(done)
