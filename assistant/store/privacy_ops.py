"""Key rotation, retention and erasure across every place conversation data lives.

Four places hold staff conversations: the assistant store (help-desk ticket messages,
the kiosk downtime queue, messages kept for NLU review) and Rasa's tracker store (every
conversation event). Each operation here covers them all and reports per place, so the
CLI can say exactly what it did and what is left:

- ``rotate_everywhere``: re-encrypt under the newest data key (the tracker in resumable
  batches), then count every row by key; old keys are removable only when no row in any
  place still needs them;
- ``purge_everywhere``: delete what is older than the retention period;
- ``erase_everywhere``: delete one staff member's conversations everywhere (and
  pseudonymise them in tickets; audit events are kept, see ``assistant.store.privacy``).
  Messages kept for NLU review are redacted and carry a role, never a staff id, so they
  are not a staff member's data; they follow retention and rotation like the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from assistant.crypto import DataCipher
from assistant.store import Store, rowcount
from assistant.store.models import KioskQueuedHelp, NluReviewItem, PrivacyProgress, TicketMessage
from assistant.store.privacy import ErasureResult, erase_staff, purge_messages, rotate_keys
from assistant.store.tracker import (
    ENCRYPTED_PREFIX,
    KeyCensus,
    TrackerDb,
    TrackerRotation,
    census_of,
    rotate_tracker,
    tracker_census,
)
from assistant.store.tracker_subject import TrackerRemoval, erase_tracker, purge_tracker

TRACKER_JOB = "rotate:tracker_events"


@dataclass(frozen=True)
class RotationReport:
    tickets_rotated: int
    kiosk_rotated: int
    review_rotated: int
    tracker: TrackerRotation
    resumed_from: int  # tracker event id the run started after (0: from the start)
    census: dict[str, KeyCensus]  # place -> rows by key, after the run

    @property
    def removable(self) -> bool:
        """True only when every row in every place is under the newest key."""
        return all(c.removable for c in self.census.values())


@dataclass(frozen=True)
class PurgeReport:
    ticket_messages: int
    kiosk_queue: int
    nlu_review: int
    tracker: TrackerRemoval


@dataclass(frozen=True)
class EraseReport:
    tickets: ErasureResult
    kiosk_queue: int
    tracker: TrackerRemoval


# -- kiosk downtime queue ---------------------------------------------------------------


def _legacy_body(row: KioskQueuedHelp) -> dict[str, str | None]:
    """A row queued before encryption, in its own shape (the kiosk queue reads both)."""
    return {
        "help_type": row.help_type,
        "location_id": row.location_id,
        "priority": row.priority,
        "description": row.description,
    }


def rotate_kiosk_queue(store: Store, cipher: DataCipher) -> int:
    """Re-encrypt (or, for rows queued before encryption, seal) every queued request."""
    changed = 0
    with store.write() as session:
        for row in session.execute(select(KioskQueuedHelp)).scalars():
            if row.body is None:
                row.body = cipher.encrypt(json.dumps(_legacy_body(row)))
                row.help_type = row.location_id = row.priority = row.description = None
            elif cipher.newest_decrypts(row.body):
                continue
            else:
                row.body = cipher.rotate(row.body)
            row.key_id = cipher.current_key_id
            changed += 1
    return changed


def kiosk_census(store: Store, cipher: DataCipher) -> KeyCensus:
    with store.read() as session:
        bodies = list(session.execute(select(KioskQueuedHelp.body)).scalars())
    return census_of(cipher, [ENCRYPTED_PREFIX + b if b is not None else None for b in bodies])


def _census_by_key_id(store: Store, cipher: DataCipher, column: Any) -> KeyCensus:
    """Rows by the key id recorded beside each (written with the row)."""
    query = select(column, func.count()).group_by(column)
    total = current = unreadable = 0
    old: dict[str, int] = {}
    with store.read() as session:
        for key, count in session.execute(query).all():
            total += count
            if key == cipher.current_key_id:
                current += count
            elif key in cipher.key_ids:
                old[key] = count
            else:
                unreadable += count
    return KeyCensus(total, current, 0, unreadable, old)


def ticket_census(store: Store, cipher: DataCipher) -> KeyCensus:
    return _census_by_key_id(store, cipher, TicketMessage.key_id)


# -- messages kept for NLU review --------------------------------------------------------


def rotate_review(store: Store, cipher: DataCipher) -> int:
    """Re-encrypt kept messages (and their labels) not under the newest data key; rows no
    configured key opens are left as they are (the census counts them as unreadable)."""
    current = cipher.current_key_id
    older = [k for k in cipher.key_ids if k != current]
    with store.write() as session:
        query = select(NluReviewItem).where(NluReviewItem.key_id.in_(older))
        rows = session.execute(query).scalars().all()
        for row in rows:
            row.text = cipher.rotate(row.text)
            if row.label_text:
                row.label_text = cipher.rotate(row.label_text)
            row.key_id = current
        return len(rows)


def review_census(store: Store, cipher: DataCipher) -> KeyCensus:
    return _census_by_key_id(store, cipher, NluReviewItem.key_id)


def purge_review(store: Store, before: datetime) -> int:
    """Delete kept messages older than ``before`` (retention), whatever their status."""
    with store.write() as session:
        return rowcount(session.execute(delete(NluReviewItem).where(NluReviewItem.at < before)))


# -- rotation -------------------------------------------------------------------------------


def _progress(store: Store, key: str) -> int:
    with store.read() as session:
        row = session.get(PrivacyProgress, TRACKER_JOB)
        return row.position if row is not None and row.key_id == key else 0


def _save_progress(store: Store, key: str, position: int) -> None:
    with store.write() as session:
        row = session.get(PrivacyProgress, TRACKER_JOB)
        now = datetime.now(UTC)
        if row is None:
            session.add(PrivacyProgress(name=TRACKER_JOB, key_id=key, position=position,
                                        updated_at=now))  # fmt: skip
        else:
            row.key_id, row.position, row.updated_at = key, position, now


def rotate_everywhere(
    store: Store, tracker: TrackerDb, cipher: DataCipher, *, batch: int = 500
) -> RotationReport:
    """Rotate tickets, the kiosk queue and the tracker store; then count rows by key.

    The tracker pass resumes after the last batch a previous run for the same newest key
    committed. The closing census re-reads every row (new rows Rasa wrote meanwhile with
    an old key are caught there, not assumed away).
    """
    tickets = rotate_keys(store, cipher)
    kiosk = rotate_kiosk_queue(store, cipher)
    review = rotate_review(store, cipher)
    key = cipher.current_key_id
    start = _progress(store, key)
    rotation = rotate_tracker(
        tracker,
        cipher,
        start_after=start,
        batch=batch,
        on_batch=lambda position: _save_progress(store, key, position),
    )
    census = {
        "ticket_messages": ticket_census(store, cipher),
        "kiosk_queue": kiosk_census(store, cipher),
        "nlu_review": review_census(store, cipher),
        "tracker_events": tracker_census(tracker, cipher, batch=batch),
    }
    if census["tracker_events"].removable:
        _save_progress(store, key, 0)  # done: a later rotation starts from the beginning
    return RotationReport(tickets.rotated, kiosk, review, rotation, start, census)


# -- retention and erasure ------------------------------------------------------------------


def purge_everywhere(
    store: Store, tracker: TrackerDb, retention_days: int, now: datetime | None = None
) -> PurgeReport:
    """Delete ticket messages, queued kiosk requests, messages kept for NLU review and
    tracker sessions past retention."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    cutoff = now - timedelta(days=retention_days)
    messages = purge_messages(store, retention_days, now=now)
    with store.write() as session:
        kiosk = rowcount(
            session.execute(
                delete(KioskQueuedHelp).where(KioskQueuedHelp.queued_at < cutoff.timestamp())
            )
        )
    review = purge_review(store, cutoff)
    return PurgeReport(messages, kiosk, review, purge_tracker(tracker, cutoff.timestamp()))


def erase_everywhere(
    store: Store, tracker: TrackerDb, cipher: DataCipher, staff: str
) -> EraseReport:
    """Erase one staff member's conversations from tickets, the kiosk queue and the tracker."""
    tickets = erase_staff(store, cipher, staff)
    with store.write() as session:
        query = delete(KioskQueuedHelp).where(KioskQueuedHelp.staff == staff)
        kiosk = rowcount(session.execute(query))
    return EraseReport(tickets, kiosk, erase_tracker(tracker, staff))
