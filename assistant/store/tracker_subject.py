"""Retention, erasure and subject access on Rasa's tracker store (see ``tracker``).

- ``purge_tracker``: delete conversation sessions that ended before a cutoff;
- ``erase_tracker``: delete every conversation of one staff member (sender ids are
  ``<channel>:<staff>:<conversation>``);
- ``export_tracker``: one staff member's conversations, decrypted (subject access).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select

from assistant.crypto import DataCipher
from assistant.store.tracker import ENCRYPTED_PREFIX, SESSION_STARTED, TrackerDb, events

SESSION_ACTION = "action_session_start"
DELETE_CHUNK = 500


@dataclass(frozen=True)
class TrackerRemoval:
    events: int
    conversations: int  # sender ids with no event left afterwards


def _sessions(rows: list[tuple[int, str, str | None, float | None]]) -> list[list[int]]:
    """Split one conversation's events (id order) into sessions of event ids.

    A session begins at ``action_session_start`` (Rasa runs it, then logs
    ``session_started``), or at a ``session_started`` not right after that action.
    """
    sessions: list[list[int]] = []
    previous: str | None = None
    for row_id, type_name, action_name, _ in rows:
        starts = (type_name == "action" and action_name == SESSION_ACTION) or (
            type_name == SESSION_STARTED and previous != SESSION_ACTION
        )
        if starts or not sessions:
            sessions.append([])
        sessions[-1].append(row_id)
        previous = action_name if type_name == "action" else type_name
    return sessions


def _expired_ids(rows: list[tuple[int, str, str | None, float | None]], cutoff: float) -> list[int]:
    stamps = {row_id: ts for row_id, _, _, ts in rows if ts is not None}
    out: list[int] = []
    for session in _sessions(rows):
        last = max((stamps[i] for i in session if i in stamps), default=None)
        if last is not None and last < cutoff:
            out.extend(session)
    return out


def _delete_ids(db: TrackerDb, ids: list[int]) -> int:
    assert db.engine is not None
    deleted = 0
    with db.engine.begin() as conn:
        for start in range(0, len(ids), DELETE_CHUNK):
            chunk = ids[start : start + DELETE_CHUNK]
            deleted += int(conn.execute(events.delete().where(events.c.id.in_(chunk))).rowcount)
    return deleted


def purge_tracker(db: TrackerDb, cutoff: float) -> TrackerRemoval:
    """Delete conversation sessions whose last event is older than ``cutoff`` (epoch s).

    A session goes whole or not at all, so Rasa never loads half a session; a session
    that had a turn after the cutoff keeps its older events too. Only the clear columns
    are read (sender, type, action name, time), never the encrypted bodies.
    """
    if not db.present:
        return TrackerRemoval(0, 0)
    assert db.engine is not None
    old_senders = (
        select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(func.min(events.c.timestamp) < cutoff)
    )
    query = (
        select(events.c.sender_id, events.c.id, events.c.type_name, events.c.action_name,
               events.c.timestamp)
        .where(events.c.sender_id.in_(old_senders))
        .order_by(events.c.sender_id, events.c.id)
    )  # fmt: skip
    expired: list[int] = []
    emptied = 0
    with db.engine.connect() as conn:
        for _sender, group in groupby(conn.execute(query), key=lambda r: r.sender_id):
            rows = [(r.id, r.type_name, r.action_name, r.timestamp) for r in group]
            ids = _expired_ids(rows, cutoff)
            expired.extend(ids)
            emptied += len(ids) == len(rows)
    return TrackerRemoval(_delete_ids(db, expired), emptied)


def staff_of(sender_id: str) -> str | None:
    """The staff username in a ``<channel>:<staff>:<conversation>`` sender id."""
    parts = sender_id.split(":", 2)
    return parts[1] if len(parts) == 3 else None


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def staff_senders(db: TrackerDb, staff: str) -> list[str]:
    """Every conversation (sender id) of one staff member in the tracker store."""
    if not db.present:
        return []
    assert db.engine is not None
    pattern = f"%:{_like_escape(staff)}:%"
    with db.engine.connect() as conn:
        found = conn.execute(
            select(events.c.sender_id.distinct()).where(
                events.c.sender_id.like(pattern, escape="\\")
            )
        ).scalars()
        return sorted(s for s in found if staff_of(s) == staff)


def erase_tracker(db: TrackerDb, staff: str) -> TrackerRemoval:
    """Delete every event of every conversation of ``staff``."""
    senders = staff_senders(db, staff)
    deleted = 0
    if senders:
        assert db.engine is not None
        with db.engine.begin() as conn:
            for start in range(0, len(senders), DELETE_CHUNK):
                chunk = senders[start : start + DELETE_CHUNK]
                result = conn.execute(events.delete().where(events.c.sender_id.in_(chunk)))
                deleted += int(result.rowcount or 0)
    return TrackerRemoval(deleted, len(senders))


def export_tracker(db: TrackerDb, cipher: DataCipher, staff: str) -> list[dict[str, object]]:
    """What the tracker store holds of one staff member's conversations (subject access):
    per conversation, the user's and the assistant's messages, decrypted, oldest first."""
    out: list[dict[str, object]] = []
    if not db.present:
        return out
    assert db.engine is not None
    for sender in staff_senders(db, staff):
        query = (
            select(events.c.type_name, events.c.timestamp, events.c.data)
            .where(events.c.sender_id == sender, events.c.type_name.in_(("user", "bot")))
            .order_by(events.c.id)
        )
        with db.engine.connect() as conn:
            rows = conn.execute(query).all()
        messages = []
        for row in rows:
            data = row.data or "{}"
            if data.startswith(ENCRYPTED_PREFIX):
                data = cipher.decrypt(data[len(ENCRYPTED_PREFIX) :])
            body = json.loads(data)
            messages.append({"from": row.type_name, "text": body.get("text"), "at": row.timestamp})
        out.append({"conversation": sender, "messages": messages})
    return out
