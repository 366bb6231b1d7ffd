"""``ReviewQueue``: the kept "not understood" messages on the assistant store.

Text is redacted (``redact_phi``) before it is stored and is stored encrypted
(``DataCipher``); the same redacted text seen again only raises the item's ``seen`` count.
Status: ``new`` -> ``labelled`` | ``discarded``; ``labelled`` -> ``exported``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from assistant.crypto import DataCipher
from assistant.logging import redact_phi
from assistant.store import Store, rowcount
from assistant.store.models import NluReviewItem
from assistant.store.privacy_ops import purge_review, rotate_review

from .markup import Label, normalise
from .peek import Prediction

STATUSES = ("new", "labelled", "discarded", "exported")
Clock = Callable[[], datetime]


class ReviewError(Exception):
    pass


class ItemNotFound(ReviewError):
    pass


@dataclass(frozen=True)
class ReviewItem:
    id: int
    at: datetime
    channel: str
    role: str
    kind: str
    text: str  # redacted, decrypted
    predictions: tuple[Prediction, ...]
    seen: int
    status: str
    label_intent: str | None
    label_text: str | None
    reviewer: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "channel": self.channel,
            "role": self.role,
            "kind": self.kind,
            "text": self.text,
            "predictions": [
                {"intent": p.intent, "confidence": p.confidence} for p in self.predictions
            ],
            "seen": self.seen,
            "status": self.status,
            "label_intent": self.label_intent,
            "label_text": self.label_text,
            "reviewer": self.reviewer,
        }


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ReviewQueue:
    def __init__(self, store: Store, cipher: DataCipher, clock: Clock = _now) -> None:
        self._store = store
        self._cipher = cipher
        self._clock = clock

    def _item(self, row: NluReviewItem) -> ReviewItem:
        raw = json.loads(row.predictions or "[]")
        return ReviewItem(
            id=row.id,
            at=_utc(row.at),
            channel=row.channel,
            role=row.role,
            kind=row.kind,
            text=self._cipher.decrypt(row.text),
            predictions=tuple(Prediction(str(p["intent"]), float(p["confidence"])) for p in raw),
            seen=row.seen,
            status=row.status,
            label_intent=row.label_intent,
            label_text=self._cipher.decrypt(row.label_text) if row.label_text else None,
            reviewer=row.reviewer,
        )

    def keep(
        self,
        *,
        text: str,
        channel: str,
        role: str,
        kind: str,
        predictions: Sequence[Prediction],
    ) -> int | None:
        """Keep one missed message (redacted first); return its item id, None if empty."""
        redacted = " ".join(redact_phi(text).split())
        if not redacted:
            return None
        digest = self._cipher.pseudonym(normalise(redacted))
        blob = json.dumps([{"intent": p.intent, "confidence": p.confidence} for p in predictions])
        with self._store.write() as session:
            row = session.execute(
                select(NluReviewItem).where(
                    NluReviewItem.text_hash == digest, NluReviewItem.status == "new"
                )
            ).scalar_one_or_none()
            if row is not None:
                row.seen += 1
                row.predictions = blob
                return row.id
            row = NluReviewItem(
                at=self._clock(),
                channel=channel,
                role=role,
                kind=kind,
                text=self._cipher.encrypt(redacted),
                text_hash=digest,
                key_id=self._cipher.current_key_id,
                predictions=blob,
                seen=1,
                status="new",
            )
            session.add(row)
            session.flush()
            return row.id

    def items(self, statuses: Iterable[str] = ("new",), limit: int = 200) -> list[ReviewItem]:
        query = (
            select(NluReviewItem)
            .where(NluReviewItem.status.in_(tuple(statuses)))
            .order_by(NluReviewItem.id)
            .limit(limit)
        )
        with self._store.read() as session:
            return [self._item(r) for r in session.execute(query).scalars()]

    def get(self, item_id: int) -> ReviewItem:
        with self._store.read() as session:
            row = session.get(NluReviewItem, item_id)
            if row is None:
                raise ItemNotFound(f"no review item {item_id}")
            return self._item(row)

    def _set(self, item_id: int, allowed: Sequence[str], **values: object) -> ReviewItem:
        statement = (
            update(NluReviewItem)
            .where(NluReviewItem.id == item_id, NluReviewItem.status.in_(tuple(allowed)))
            .values(**values)
        )
        with self._store.write() as session:
            changed = rowcount(session.execute(statement))
        item = self.get(item_id)
        if changed != 1:
            raise ReviewError(f"review item {item_id} is {item.status}")
        return item

    def label(self, item_id: int, label: Label, reviewer: str) -> ReviewItem:
        return self._set(
            item_id,
            ("new", "labelled"),
            status="labelled",
            label_intent=label.intent,
            label_text=self._cipher.encrypt(label.annotated),
            key_id=self._cipher.current_key_id,
            reviewer=reviewer,
            reviewed_at=self._clock(),
        )

    def discard(self, item_id: int, reviewer: str) -> ReviewItem:
        return self._set(
            item_id,
            ("new", "labelled"),
            status="discarded",
            reviewer=reviewer,
            reviewed_at=self._clock(),
        )

    def mark_exported(self, item_ids: Iterable[int]) -> int:
        ids = tuple(item_ids)
        if not ids:
            return 0
        statement = (
            update(NluReviewItem)
            .where(NluReviewItem.id.in_(ids), NluReviewItem.status == "labelled")
            .values(status="exported", exported_at=self._clock())
        )
        with self._store.write() as session:
            return rowcount(session.execute(statement))

    def rotate(self) -> int:
        """Re-encrypt kept messages (and labels) not under the newest data key."""
        return rotate_review(self._store, self._cipher)

    def purge(self, before: datetime) -> int:
        """Delete kept messages older than ``before`` (retention), whatever their status."""
        return purge_review(self._store, before)
