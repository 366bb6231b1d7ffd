"""Privacy operations on Rasa's conversation store (the SQL tracker store's ``events`` table).

Rasa (``rasa_ext.tracker_store.EncryptedSQLTrackerStore``, in ``.venv-rasa``) writes one
row per conversation event; the ``data`` column is ``enc:`` + a Fernet token made with the
newest data key (rows written before encryption existed are clear JSON). These functions
work on that table with SQLAlchemy Core from the app environment, on SQLite and
PostgreSQL alike:

- ``rotate_tracker``: re-encrypt every event not under the newest key, in batches that
  each commit, from a cursor the caller keeps (so an interrupted run resumes);
- ``tracker_census``: count events per key (newest, older, clear, unreadable);
- retention, erasure and export are in ``assistant.store.tracker_subject``.

Columns Rasa queries on (sender id, event type, intent/action names, timestamp) are clear
and hold no PHI; nothing here decrypts more than it must (the census only checks keys).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    inspect,
    select,
)

from assistant.crypto import DataCipher, DecryptError
from assistant.store.engine import make_engine, normalise_url

ENCRYPTED_PREFIX = "enc:"  # the same marker rasa_ext.tracker_store writes
SESSION_STARTED = "session_started"
BATCH = 500

_metadata = MetaData()
events = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class TrackerDb:
    """The tracker store's database; ``present`` is False when Rasa never created it."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine

    @property
    def present(self) -> bool:
        return self.engine is not None

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def open_tracker(url: str) -> TrackerDb:
    """Open the tracker database at ``url`` without creating anything."""
    url = normalise_url(url)
    prefix = "sqlite:///"
    if url.startswith(prefix) and not Path(url.removeprefix(prefix)).is_file():
        return TrackerDb(None)
    engine = make_engine(url)
    if not inspect(engine).has_table("events"):
        engine.dispose()
        return TrackerDb(None)
    return TrackerDb(engine)


def _key_state(cipher: DataCipher, data: str | None) -> str:
    """``current`` | ``old:<key id>`` | ``plain`` | ``unreadable`` for one stored body."""
    if data is None or not data.startswith(ENCRYPTED_PREFIX):
        return "plain"
    token = data[len(ENCRYPTED_PREFIX) :]
    if cipher.newest_decrypts(token):
        return "current"
    try:
        return "old:" + cipher.key_id_of(token)
    except DecryptError:
        return "unreadable"


def _batches(db: TrackerDb, after: int, size: int) -> Iterator[list[tuple[int, str | None]]]:
    assert db.engine is not None
    cursor = after
    while True:
        with db.engine.connect() as conn:
            rows = conn.execute(
                select(events.c.id, events.c.data)
                .where(events.c.id > cursor)
                .order_by(events.c.id)
                .limit(size)
            ).all()
        if not rows:
            return
        yield [(int(r.id), r.data) for r in rows]
        cursor = int(rows[-1].id)


@dataclass(frozen=True)
class TrackerRotation:
    scanned: int
    rotated: int  # re-encrypted from an older key
    sealed: int  # clear rows encrypted for the first time
    unreadable: int  # no configured key opens them (left as they are)
    cursor: int  # last event id handled


def rotate_tracker(
    db: TrackerDb,
    cipher: DataCipher,
    *,
    start_after: int = 0,
    batch: int = BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> TrackerRotation:
    """Re-encrypt events under the newest key, batch by batch (each batch commits).

    ``on_batch(last_id)`` is called after each committed batch: the caller stores it and
    passes it back as ``start_after`` to resume an interrupted run.
    """
    scanned = rotated = sealed = unreadable = 0
    cursor = start_after
    if not db.present:
        return TrackerRotation(0, 0, 0, 0, cursor)
    assert db.engine is not None
    for rows in _batches(db, start_after, batch):
        updates: list[dict[str, object]] = []
        for row_id, data in rows:
            state = _key_state(cipher, data)
            if state == "plain" and data is not None:
                updates.append({"i": row_id, "d": ENCRYPTED_PREFIX + cipher.encrypt(data)})
                sealed += 1
            elif state.startswith("old:") and data is not None:
                token = cipher.rotate(data[len(ENCRYPTED_PREFIX) :])
                updates.append({"i": row_id, "d": ENCRYPTED_PREFIX + token})
                rotated += 1
            elif state == "unreadable":
                unreadable += 1
        if updates:
            with db.engine.begin() as conn:
                conn.execute(
                    events.update()
                    .where(events.c.id == bindparam("i"))
                    .values(data=bindparam("d")),
                    updates,
                )
        scanned += len(rows)
        cursor = rows[-1][0]
        if on_batch is not None:
            on_batch(cursor)
    return TrackerRotation(scanned, rotated, sealed, unreadable, cursor)


@dataclass(frozen=True)
class KeyCensus:
    """How many stored rows each key made. ``removable`` only when nothing but the newest."""

    total: int = 0
    current: int = 0
    plain: int = 0
    unreadable: int = 0
    old: dict[str, int] = field(default_factory=dict)  # key id -> rows

    @property
    def old_total(self) -> int:
        return sum(self.old.values())

    @property
    def removable(self) -> bool:
        return self.old_total == 0 and self.plain == 0 and self.unreadable == 0

    def plus(self, other: KeyCensus) -> KeyCensus:
        old = dict(self.old)
        for key, count in other.old.items():
            old[key] = old.get(key, 0) + count
        return KeyCensus(
            self.total + other.total,
            self.current + other.current,
            self.plain + other.plain,
            self.unreadable + other.unreadable,
            old,
        )


def census_of(cipher: DataCipher, bodies: Iterator[str | None] | list[str | None]) -> KeyCensus:
    total = current = plain = unreadable = 0
    old: dict[str, int] = {}
    for data in bodies:
        total += 1
        state = _key_state(cipher, data)
        if state == "current":
            current += 1
        elif state == "plain":
            plain += 1
        elif state == "unreadable":
            unreadable += 1
        else:
            key = state.removeprefix("old:")
            old[key] = old.get(key, 0) + 1
    return KeyCensus(total, current, plain, unreadable, old)


def tracker_census(db: TrackerDb, cipher: DataCipher, *, batch: int = BATCH) -> KeyCensus:
    """Count every event by the key that made it (a full scan; checks, never decodes)."""
    result = KeyCensus()
    if not db.present:
        return result
    for rows in _batches(db, 0, batch):
        result = result.plus(census_of(cipher, [data for _, data in rows]))
    return result
