"""The SQL audit trail: append-only, keyed hash chain, one transaction per event.

Each event reads the chain head (seq, hash) and writes the new row plus the new head in
one transaction that holds the write lock: ``BEGIN IMMEDIATE`` on SQLite (safe with several
processes on one file), ``SELECT ... FOR UPDATE`` on the head row on PostgreSQL. There is
no update or delete path; the migration also adds triggers that refuse UPDATE/DELETE.
Each event's hash is an HMAC under the newest audit key (``assistant.audit.keys``), which
is never stored in the database; ``checkpoint`` signs the head for an outside anchor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from assistant.audit.anchor import AnchorResult, Checkpoint, check_anchors, make_checkpoint
from assistant.audit.chain import VerifyResult, chain_hash, verify_rows
from assistant.audit.events import AuditEvent, AuditWriteError
from assistant.audit.fhir import to_fhir
from assistant.audit.keys import AuditKeys
from assistant.logging import redact_phi
from assistant.store import Store
from assistant.store.engine import IMMEDIATE
from assistant.store.models import AuditChainHead, AuditEventRow

Clock = Callable[[], datetime]
_HEAD = select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_INSERT = insert(AuditEventRow)
_TOUCH_HEAD = (
    update(AuditChainHead).where(AuditChainHead.id == 1).values(last_seq=AuditChainHead.last_seq)
)
_MOVE_HEAD = (
    update(AuditChainHead)
    .where(AuditChainHead.id == 1)
    .values(last_seq=bindparam("seq"), last_hash=bindparam("digest"))
)


def _now() -> datetime:
    return datetime.now(UTC)


class SqlAuditTrail:
    """``AuditSink`` on the assistant store."""

    def __init__(self, store: Store, keys: AuditKeys, clock: Clock = _now) -> None:
        self._store = store
        self._keys = keys
        self._clock = clock

    def record(self, event: AuditEvent) -> None:
        try:
            self._append(event)
        except AuditWriteError:
            raise
        except Exception as exc:
            raise AuditWriteError(f"audit event not written: {type(exc).__name__}") from exc

    def check(self) -> None:
        """Cheap writability probe: lock the chain head, rewrite it unchanged, roll back.

        The no-op ``UPDATE`` of the head row runs inside a transaction that is always
        rolled back, so nothing is stored, but the write path is exercised: on SQLite the
        ``BEGIN IMMEDIATE`` write lock plus a real page write (a read-only or missing file
        fails here, where ``BEGIN IMMEDIATE`` alone would pass); on PostgreSQL the head row
        lock (``UPDATE`` takes it) and the role's write right. A probe cannot promise that
        the next ``record`` succeeds (the disk may fill in between): callers still treat a
        failed ``record`` as "not recorded".
        """
        try:
            with self._store.engine.connect().execution_options(**IMMEDIATE) as conn:
                with conn.begin() as tx:
                    touched = conn.execute(_TOUCH_HEAD).rowcount
                    tx.rollback()
        except Exception as exc:
            raise AuditWriteError(f"audit trail not writable: {type(exc).__name__}") from exc
        if touched != 1:
            raise AuditWriteError("audit chain head row is missing")

    def _append(self, event: AuditEvent) -> int:
        # Core statements built once, on one connection (every guarded action writes one
        # event; an ORM session's unit of work doubled the cost); the same rows as before
        head_query = _HEAD_FOR_UPDATE if self._store.dialect == "postgresql" else _HEAD
        with self._store.engine.connect().execution_options(**IMMEDIATE) as conn:
            with conn.begin():
                head = conn.execute(head_query).first()
                if head is None:
                    raise AuditWriteError("audit chain head row is missing")
                fields: dict[str, Any] = asdict(event)
                # free text must not carry PHI (purge/erase keep audit events on that basis)
                fields["detail"] = redact_phi(event.detail)
                fields["reason"] = None if event.reason is None else redact_phi(event.reason)
                fields["at"] = self._clock().astimezone(UTC)
                key_id = self._keys.current_id
                digest = chain_hash(self._keys, key_id, fields, head.last_hash)
                seq = head.last_seq + 1
                row = {"seq": seq, "prev_hash": head.last_hash, "hash": digest, "key_id": key_id}
                conn.execute(_INSERT, row | fields)
                conn.execute(_MOVE_HEAD, {"seq": seq, "digest": digest})
        return seq

    def verify(self) -> VerifyResult:
        """Check the whole chain; the result names the first changed/removed/reordered seq."""
        with self._store.read() as session:
            head = session.get(AuditChainHead, 1)
            rows = session.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars()
            return verify_rows(
                rows,
                self._keys,
                head_seq=head.last_seq if head else None,
                head_hash=head.last_hash if head else None,
            )

    def hash_at(self, seq: int) -> str | None:
        with self._store.read() as session:
            row = session.get(AuditEventRow, seq)
            return row.hash if row is not None else None

    def checkpoint(self) -> tuple[VerifyResult, Checkpoint | None]:
        """Verify the whole trail and, if it is intact, sign its head (else no checkpoint)."""
        result = self.verify()
        return result, make_checkpoint(result, self._keys, self._clock()) if result.ok else None

    def verify_anchored(self, checkpoints: list[Checkpoint]) -> tuple[VerifyResult, AnchorResult]:
        """Verify the chain, then that it still extends every anchored checkpoint."""
        result = self.verify()
        return result, check_anchors(checkpoints, self._keys, result, self.hash_at)

    def events(
        self, start: datetime | None = None, end: datetime | None = None, staff: str | None = None
    ) -> list[AuditEventRow]:
        """Stored rows with ``start <= at < end`` (both optional), oldest first."""
        query = select(AuditEventRow).order_by(AuditEventRow.seq)
        if start is not None:
            query = query.where(AuditEventRow.at >= start.astimezone(UTC))
        if end is not None:
            query = query.where(AuditEventRow.at < end.astimezone(UTC))
        if staff is not None:
            query = query.where(AuditEventRow.staff == staff)
        with self._store.read() as session:
            return list(session.execute(query).scalars())

    def export_fhir(self, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        """FHIR R4 AuditEvent dicts for events with ``start <= recorded < end``."""
        for row in self.events(start, end):
            yield to_fhir(row)
