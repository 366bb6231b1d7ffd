"""Bed watches and staff notices (tables ``bed_watch``, ``staff_notice``, migration
``0007_bed_watches``).

A watch is "tell <staff> when a free <feature> bed appears on <ward>" for one shift. Its
``baseline`` is the set of matching beds that were free at the last look, so only a bed
that *becomes* free is news. Every change that must happen once (notify, cancel, expire)
is a conditional UPDATE: several gateway workers may look at the same watches, and only
the one whose update wins sends the notice. Nothing here is PHI (bed ids, ward codes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Column,
    CursorResult,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    insert,
    select,
    update,
)

from assistant.store import Store, rowcount

ACTIVE, NOTIFIED, CANCELLED, EXPIRED = "active", "notified", "cancelled", "expired"
MAX_ACTIVE_PER_STAFF = 10

metadata = MetaData()
bed_watch = Table(
    "bed_watch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff", String(120), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("ward_code", String(32)),
    Column("feature", String(32)),
    Column("status", String(16), nullable=False),
    Column("baseline", Text, nullable=False),  # JSON list of bed ids free at the last look
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("bed_id", String(64)),
    Column("bed_label", String(64)),
    Column("notified_at", DateTime(timezone=True)),
    Column("delivered_via", String(16)),
    Index("ix_bed_watch_status_expires", "status", "expires_at"),
    Index("ix_bed_watch_staff_status", "staff", "status"),
)
staff_notice = Table(
    "staff_notice",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff", String(120), nullable=False, index=True),
    Column("kind", String(60), nullable=False),
    Column("text", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON, no PHI
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
)


class TooManyWatches(Exception):
    """The staff member already has ``MAX_ACTIVE_PER_STAFF`` active watches."""


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Watch:
    id: int
    staff: str
    channel: str
    ward_code: str | None
    feature: str | None
    status: str
    baseline: frozenset[str]
    created_at: datetime
    expires_at: datetime
    bed_id: str | None = None
    bed_label: str | None = None
    delivered_via: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> Watch:
        return cls(
            id=row.id,
            staff=row.staff,
            channel=row.channel,
            ward_code=row.ward_code,
            feature=row.feature,
            status=row.status,
            baseline=frozenset(json.loads(row.baseline or "[]")),
            created_at=_utc(row.created_at),
            expires_at=_utc(row.expires_at),
            bed_id=row.bed_id,
            bed_label=row.bed_label,
            delivered_via=row.delivered_via,
        )


def _new_id(result: Any) -> int:
    key = cast(CursorResult[Any], result).inserted_primary_key
    assert key is not None
    return int(key[0])


def _now() -> datetime:
    return datetime.now(UTC)


class WatchStore:
    def __init__(self, store: Store, clock: Callable[[], datetime] = _now) -> None:
        self._store, self._clock = store, clock

    def add(
        self,
        staff: str,
        channel: str,
        ward_code: str | None,
        feature: str | None,
        baseline: Iterable[str],
        hours: float = 12.0,
    ) -> Watch:
        now = self._clock()
        with self._store.write() as session:
            active = session.execute(
                select(bed_watch.c.id).where(
                    bed_watch.c.staff == staff,
                    bed_watch.c.status == ACTIVE,
                    bed_watch.c.expires_at > now,
                )
            ).all()
            if len(active) >= MAX_ACTIVE_PER_STAFF:
                raise TooManyWatches(staff)
            result = session.execute(
                insert(bed_watch).values(
                    staff=staff,
                    channel=channel,
                    ward_code=ward_code,
                    feature=feature,
                    status=ACTIVE,
                    baseline=json.dumps(sorted(baseline)),
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
            ident = _new_id(result)
        found = self.get(ident)
        assert found is not None
        return found

    def extend(self, watch_id: int, baseline: Iterable[str], hours: float = 12.0) -> Watch | None:
        """The same watch asked for again: it runs a shift from now, with the beds free now
        as its baseline (no second watch); None when it is no longer active."""
        now = self._clock()
        with self._store.write() as session:
            done = session.execute(
                update(bed_watch)
                .where(bed_watch.c.id == watch_id, bed_watch.c.status == ACTIVE)
                .values(
                    baseline=json.dumps(sorted(baseline)),
                    expires_at=now + timedelta(hours=hours),
                )
            )
            if rowcount(done) != 1:
                return None
        return self.get(watch_id)

    def get(self, watch_id: int) -> Watch | None:
        with self._store.read() as session:
            row = session.execute(select(bed_watch).where(bed_watch.c.id == watch_id)).first()
        return Watch.from_row(row) if row else None

    def active(self, staff: str | None = None) -> list[Watch]:
        """Active, unexpired watches (of one staff member, or all), oldest first."""
        where = [bed_watch.c.status == ACTIVE, bed_watch.c.expires_at > self._clock()]
        if staff is not None:
            where.append(bed_watch.c.staff == staff)
        with self._store.read() as session:
            rows = session.execute(select(bed_watch).where(*where).order_by(bed_watch.c.id))
            return [Watch.from_row(r) for r in rows]

    def cancel(self, staff: str, watch_id: int | None = None) -> int:
        """Cancel one of the staff member's active watches (or all of them); how many."""
        where = [bed_watch.c.staff == staff, bed_watch.c.status == ACTIVE]
        if watch_id is not None:
            where.append(bed_watch.c.id == watch_id)
        with self._store.write() as session:
            return rowcount(
                session.execute(update(bed_watch).where(*where).values(status=CANCELLED))
            )

    def expire(self) -> int:
        """Watches past their shift become ``expired``; how many."""
        cutoff = and_(bed_watch.c.status == ACTIVE, bed_watch.c.expires_at <= self._clock())
        with self._store.write() as session:
            return rowcount(session.execute(update(bed_watch).where(cutoff).values(status=EXPIRED)))

    def set_baseline(self, watch_id: int, beds: Iterable[str]) -> None:
        with self._store.write() as session:
            session.execute(
                update(bed_watch)
                .where(bed_watch.c.id == watch_id, bed_watch.c.status == ACTIVE)
                .values(baseline=json.dumps(sorted(beds)))
            )

    def claim(self, watch_id: int, bed_id: str, bed_label: str) -> bool:
        """Mark the watch notified for ``bed_id``; False if another worker (or a cancel,
        or the clock) got there first."""
        now = self._clock()
        with self._store.write() as session:
            result = session.execute(
                update(bed_watch)
                .where(
                    bed_watch.c.id == watch_id,
                    bed_watch.c.status == ACTIVE,
                    bed_watch.c.expires_at > now,
                )
                .values(status=NOTIFIED, bed_id=bed_id, bed_label=bed_label, notified_at=now)
            )
            return rowcount(result) == 1

    def delivered(self, watch_id: int, via: str) -> None:
        with self._store.write() as session:
            session.execute(
                update(bed_watch).where(bed_watch.c.id == watch_id).values(delivered_via=via)
            )


class NoticeStore:
    """Notices waiting for a staff member's next kiosk sign-in."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = _now) -> None:
        self._store, self._clock = store, clock

    def add(self, staff: str, kind: str, text: str, data: dict[str, Any]) -> int:
        with self._store.write() as session:
            result = session.execute(
                insert(staff_notice).values(
                    staff=staff,
                    kind=kind,
                    text=text,
                    data=json.dumps(data, sort_keys=True),
                    created_at=self._clock(),
                )
            )
            return _new_id(result)

    def take(self, staff: str) -> list[dict[str, Any]]:
        """The staff member's undelivered notices, oldest first, now marked delivered."""
        taken = []
        with self._store.write() as session:
            rows = session.execute(
                select(staff_notice)
                .where(staff_notice.c.staff == staff, staff_notice.c.delivered_at.is_(None))
                .order_by(staff_notice.c.id)
            ).all()
            for row in rows:
                won = session.execute(
                    update(staff_notice)
                    .where(staff_notice.c.id == row.id, staff_notice.c.delivered_at.is_(None))
                    .values(delivered_at=self._clock())
                )
                if rowcount(won) == 1:
                    taken.append({"text": row.text, "kind": row.kind, "data": json.loads(row.data)})
        return taken
