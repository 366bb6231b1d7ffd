"""Rasa's SQL tracker store with every event body encrypted at rest, and a per-worker cache.

Rasa stores each conversation event as clear JSON (user text, bot replies, slot values).
Staff messages and the assistant's answers can contain PHI, so this store encrypts the
``data`` column with Fernet. The keys are read by the same loader as the rest of the
assistant (``assistant.crypto``): ``ASSISTANT_DATA_KEY`` (comma-separated, newest first) or
``ASSISTANT_DATA_KEY_FILE``. Rotation: put a new key first, restart, run
``python -m assistant privacy rotate-key`` (it re-encrypts these events too).
Columns Rasa queries on (sender id, event type, intent and action names, timestamp) stay
in clear text and hold no PHI.

The database is given by a URL in the environment variable named by ``url_env``
(``TRACKER_DATABASE_URL``; SQLite or PostgreSQL), so no password is written to
``endpoints.yml``. Configured there as::

    tracker_store:
      type: rasa_ext.tracker_store.EncryptedSQLTrackerStore
      url_env: TRACKER_DATABASE_URL

Stock Rasa reloads, decrypts and replays the whole session on every message and counts
the stored events before every save. Here the live tracker stays in memory between turns
(``rasa_ext.tracker_cache``; one indexed ``max(id)`` query proves it still matches the
database) and a save inserts only the events added since the last one. Within one turn
(``one_turn()``, entered by the gateway channel while it holds the conversation's lock) the
tracker is proven once: the channel's look-up for an already answered message id and
Rasa's own fetch of the tracker share that query.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import islice
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import MultiFernet
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_ext.tracker_cache import DEFAULT_CAPACITY, TrackerCache

ENCRYPTED_PREFIX = "enc:"
DEFAULT_URL_ENV = "TRACKER_DATABASE_URL"
# sender id -> the newest event id the database had when this turn checked it
_CHECKED: ContextVar[dict[str, int | None] | None] = ContextVar("tracker_checked", default=None)


@contextmanager
def one_turn() -> Iterator[None]:
    """One turn of one conversation, its lock held: a tracker checked against the database
    once in here is not checked again (nothing else writes to it until the lock is let go)."""
    token = _CHECKED.set({})
    try:
        yield
    finally:
        _CHECKED.reset(token)


def cipher_from_env() -> MultiFernet:
    """The data keys (``ASSISTANT_DATA_KEY`` or ``ASSISTANT_DATA_KEY_FILE``) as a MultiFernet."""
    from assistant.crypto import DataCipher

    return DataCipher.from_env().fernet


def rasa_database_url(url: str) -> str:
    """The app's URL (psycopg 3) for Rasa's SQLAlchemy 1.4 with psycopg2."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL: readers never wait for a writer; NORMAL sync keeps commits cheap and every
    committed turn survives a killed process (not a power cut between checkpoints)."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class EncryptedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that encrypts each event's JSON body and caches live trackers."""

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,
        url_env: str | None = None,
        cache_size: int = DEFAULT_CAPACITY,
        **kwargs: Any,
    ) -> None:
        self._cipher = cipher_from_env()
        if url_env:
            url = os.environ.get(url_env, "")
            if not url:
                raise ValueError(f"{url_env} is not set: no database for the tracker store")
            host = url
        if host and "://" in host:
            host = rasa_database_url(host)
            if host.startswith("sqlite"):
                kwargs["dialect"] = "sqlite"
                kwargs["db"] = host.split(":///", 1)[-1]
                host = None
        super().__init__(domain, host=host, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens a new SQLite connection per use (NullPool): keep a few
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=4,
                connect_args={"check_same_thread": False, "timeout": 10},
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        self.cache = TrackerCache(int(cache_size))
        self._table = self.SQLEvent.__table__
        self._insert = self._table.insert()  # built once: every save inserts a turn's events
        # built once (it runs twice a turn): the newest event id of one conversation
        self._max_id = sa.text("SELECT max(id) FROM events WHERE sender_id = :sender_id")
        self._ensure_index()

    def _ensure_index(self) -> None:
        """``(sender_id, id)``: the newest event of a conversation in one index lookup.

        Several workers start at once: ``IF NOT EXISTS`` and a lost race both mean done.
        """
        statement = sa.text(
            "CREATE INDEX IF NOT EXISTS ix_events_sender_id_id ON events (sender_id, id)"
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(statement)
        except sa.exc.SQLAlchemyError:
            with self.engine.connect() as conn:
                names = {ix["name"] for ix in sa.inspect(conn).get_indexes("events")}
            if "ix_events_sender_id_id" not in names:
                raise

    # -- encryption ----------------------------------------------------------------------

    def _seal(self, data: dict[str, Any]) -> str:
        return ENCRYPTED_PREFIX + self._cipher.encrypt(json.dumps(data).encode()).decode()

    def _open(self, stored: str) -> dict[str, Any]:
        if stored.startswith(ENCRYPTED_PREFIX):
            stored = self._cipher.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
        return json.loads(stored)

    # -- reading -------------------------------------------------------------------------

    def _last_id(self, conn: Any, sender_id: str) -> int | None:
        value = conn.execute(self._max_id, {"sender_id": sender_id}).scalar()
        return None if value is None else int(value)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session: the cached tracker when the database has nothing newer."""
        checked = _CHECKED.get()
        if checked is not None and sender_id in checked:
            cached = self.cache.lookup(sender_id, checked[sender_id])
            if cached is not None:
                return cached
        with self.engine.connect() as conn:
            last_id = self._last_id(conn, sender_id)
        if checked is not None:
            checked[sender_id] = last_id
        cached = self.cache.lookup(sender_id, last_id)
        if cached is not None:
            return cached
        if last_id is None:
            return None
        tracker, loaded_last = self._load(sender_id, fetch_events_from_all_sessions=False)
        if tracker is not None:
            self.cache.put(sender_id, tracker, loaded_last, len(tracker.events))
        return tracker

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        return self._load(sender_id, fetch_events_from_all_sessions)[0]

    def _load(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> tuple[DialogueStateTracker | None, int | None]:
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [self._open(row.data) for row in rows]
            last_id = max((row.id for row in rows), default=None)
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots), last_id
        return None, last_id

    # -- writing -------------------------------------------------------------------------

    def _row(self, sender_id: str, event: Any) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": self._seal(data),
        }

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events added since the last save (one transaction)."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        entry = self.cache.peek(sender_id)
        if entry is not None and entry.tracker is tracker:
            start = entry.saved
        else:  # a tracker this worker did not load: count what is stored (stock Rasa)
            with self.session_scope() as session:
                start = self._event_query(
                    session, sender_id, fetch_events_from_all_sessions=False
                ).count()
        new_events = list(islice(tracker.events, start, None))
        with self.engine.begin() as conn:
            if new_events:
                conn.execute(self._insert, [self._row(sender_id, e) for e in new_events])
            last_id = self._last_id(conn, sender_id)
        if start > 0 and any(isinstance(e, SessionStarted) for e in new_events):
            self.cache.drop(sender_id)  # a new session began: next turn reads it alone
        else:
            self.cache.put(sender_id, tracker, last_id, len(tracker.events))
