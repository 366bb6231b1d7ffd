"""Keyed hash chaining and verification of stored audit rows (pure functions, no database).

Each event's ``hash`` is HMAC-SHA256, under the audit key named by its ``key_id``, of the
canonical JSON of its fields, its key id and the previous event's hash. Someone who can
write the database but does not hold an audit key cannot make a changed event verify.
Events written before keying (``key_id`` NULL) carry a plain SHA-256 link; they may only
form the start of the trail, and the first keyed event signs the last of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from assistant.audit.events import AuditError

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "at", "staff", "role", "channel", "intent", "action", "permission", "resource",
    "patient_ref", "outcome", "detail", "reason",
)  # fmt: skip


class ChainedRow(Protocol):
    seq: int
    at: datetime
    prev_hash: str
    hash: str
    key_id: str | None


class Keys(Protocol):
    """What verification needs of ``assistant.audit.keys.AuditKeys``."""

    def mac(self, key_id: str, payload: bytes) -> str: ...


def utc(value: datetime) -> datetime:
    """Stored times come back naive from SQLite: they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical(fields: dict[str, object], prev_hash: str, key_id: str | None = None) -> bytes:
    """The canonical JSON that is hashed: sorted keys, no spaces, UTF-8, ``at`` in ISO UTC."""
    payload: dict[str, object] = {name: fields[name] for name in HASHED_FIELDS}
    at = payload["at"]
    if isinstance(at, datetime):
        payload["at"] = utc(at).isoformat(timespec="microseconds")
    payload["prev_hash"] = prev_hash
    if key_id is not None:
        payload["key_id"] = key_id
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def legacy_hash(fields: dict[str, object], prev_hash: str) -> str:
    """The unkeyed SHA-256 link of events written before keying (anyone can compute it)."""
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


def chain_hash(keys: Keys, key_id: str, fields: dict[str, object], prev_hash: str) -> str:
    """The keyed link: HMAC-SHA256 under the audit key ``key_id``."""
    return keys.mac(key_id, canonical(fields, prev_hash, key_id))


def row_fields(row: object) -> dict[str, object]:
    return {name: getattr(row, name) for name in HASHED_FIELDS}


Problem = Literal["changed", "removed", "reordered", "unverifiable"]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: Problem | None = None
    seq: int | None = None
    head_hash: str | None = None  # hash of the last event (what a checkpoint records)
    unkeyed: int = 0  # events from before keying at the start of the trail

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit trail intact: {self.checked} events verified; head {self.head_hash}"
        if self.problem == "unverifiable":
            return (
                f"audit trail cannot be verified: event {self.seq} was made with an audit key "
                "that is not configured (add it to ASSISTANT_AUDIT_KEY as an older key)"
            )
        return f"audit trail broken: event {self.seq} was {self.problem}"


def _link_ok(keys: Keys, row: ChainedRow, keyed_seen: bool) -> bool | None:
    """True/False whether the row's hash matches its content; None: its key is unknown."""
    fields = row_fields(row)
    if row.key_id is None:  # unkeyed rows may only precede every keyed row
        return not keyed_seen and legacy_hash(fields, row.prev_hash) == row.hash
    try:
        expected = chain_hash(keys, row.key_id, fields, row.prev_hash)
    except AuditError:
        return None
    return hmac.compare_digest(expected, row.hash)


def verify_rows(
    rows: Iterable[ChainedRow],
    keys: Keys,
    head_seq: int | None = None,
    head_hash: str | None = None,
) -> VerifyResult:
    """Walk the rows in seq order; name the first changed, removed or reordered event.

    - a gap in seq, or a row whose predecessor's hash is nowhere in the trail: ``removed``
    - a row whose stored hash does not match its content under its key: ``changed``
      (an unkeyed row after a keyed one, i.e. a downgrade, is ``changed`` too)
    - a self-consistent row linked to a hash that exists elsewhere in the trail: ``reordered``
    - rows missing at the end (the chain head row records the last seq): ``removed``
    - a row made with an audit key that is not configured: ``unverifiable``
    """
    ordered = list(rows)
    known = {row.hash for row in ordered}
    prev, expected = GENESIS_HASH, 1
    keyed_seen, unkeyed = False, 0
    for row in ordered:
        if row.seq != expected:
            return VerifyResult(False, expected - 1, "removed", expected)
        linked = _link_ok(keys, row, keyed_seen)
        if linked is None:
            return VerifyResult(False, expected - 1, "unverifiable", row.seq)
        if not linked:
            return VerifyResult(False, expected - 1, "changed", row.seq)
        keyed_seen = keyed_seen or row.key_id is not None
        unkeyed += row.key_id is None
        if row.prev_hash != prev:
            problem: Problem = "reordered" if row.prev_hash in known else "removed"
            return VerifyResult(False, expected - 1, problem, row.seq)
        prev, expected = row.hash, expected + 1
    last = expected - 1
    if head_seq is not None and head_seq > last:
        return VerifyResult(False, last, "removed", last + 1)
    if head_seq == last and head_hash is not None and last > 0 and head_hash != prev:
        return VerifyResult(False, last, "changed", last)
    return VerifyResult(True, last, head_hash=prev, unkeyed=unkeyed)
