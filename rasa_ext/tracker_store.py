"""Rasa's SQL tracker store with every event body encrypted at rest.

Rasa stores each conversation event as clear JSON (user text, bot replies, slot values).
Staff messages and the assistant's answers can contain PHI, so this store encrypts the
``data`` column with Fernet. The keys are read by the same loader as the rest of the
assistant (``assistant.crypto``): ``ASSISTANT_DATA_KEY`` (comma-separated, newest first) or
``ASSISTANT_DATA_KEY_FILE``. Rotation: put a new key first, restart, run
``python -m assistant privacy rotate-key`` (it re-encrypts these events too).
Columns Rasa queries on (sender id, event type, intent and action names, timestamp) stay
in clear text and hold no PHI.

Configured in ``endpoints.yml``::

    tracker_store:
      type: rasa_ext.tracker_store.EncryptedSQLTrackerStore
      dialect: sqlite
      db: var/rasa_tracker.db
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import MultiFernet
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

ENCRYPTED_PREFIX = "enc:"


def cipher_from_env() -> MultiFernet:
    """The data keys (``ASSISTANT_DATA_KEY`` or ``ASSISTANT_DATA_KEY_FILE``) as a MultiFernet."""
    from assistant.crypto import DataCipher

    return DataCipher.from_env().fernet


class EncryptedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that encrypts each event's JSON body."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._cipher = cipher_from_env()
        super().__init__(*args, **kwargs)

    def _seal(self, data: dict[str, Any]) -> str:
        return ENCRYPTED_PREFIX + self._cipher.encrypt(json.dumps(data).encode()).decode()

    def _open(self, stored: str) -> dict[str, Any]:
        if stored.startswith(ENCRYPTED_PREFIX):
            stored = self._cipher.decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
        return json.loads(stored)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                intent = data.get("parse_data", {}).get("intent", {}).get("name")
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=self._seal(data),
                    )
                )
            session.commit()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [self._open(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None
