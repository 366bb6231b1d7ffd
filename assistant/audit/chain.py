"""Hash chaining and verification of stored audit rows (pure functions, no database)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

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


def utc(value: datetime) -> datetime:
    """Stored times come back naive from SQLite: they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical(fields: dict[str, object], prev_hash: str) -> bytes:
    """The canonical JSON that is hashed: sorted keys, no spaces, UTF-8, ``at`` in ISO UTC."""
    payload: dict[str, object] = {name: fields[name] for name in HASHED_FIELDS}
    at = payload["at"]
    if isinstance(at, datetime):
        payload["at"] = utc(at).isoformat(timespec="microseconds")
    payload["prev_hash"] = prev_hash
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(fields: dict[str, object], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


def row_fields(row: object) -> dict[str, object]:
    return {name: getattr(row, name) for name in HASHED_FIELDS}


Problem = Literal["changed", "removed", "reordered"]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: Problem | None = None
    seq: int | None = None
    head_hash: str | None = None  # hash of the last event: record it elsewhere as an anchor

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit trail intact: {self.checked} events verified; head {self.head_hash}"
        return f"audit trail broken: event {self.seq} was {self.problem}"


def verify_rows(
    rows: Iterable[ChainedRow], head_seq: int | None = None, head_hash: str | None = None
) -> VerifyResult:
    """Walk the rows in seq order; name the first changed, removed or reordered event.

    - a gap in seq, or a row whose predecessor's hash is nowhere in the trail: ``removed``
    - a row whose stored hash does not match its content: ``changed``
    - a self-consistent row linked to a hash that exists elsewhere in the trail: ``reordered``
    - rows missing at the end (the chain head row records the last seq): ``removed``
    """
    ordered = list(rows)
    known = {row.hash for row in ordered}
    prev, expected = GENESIS_HASH, 1
    for row in ordered:
        if row.seq != expected:
            return VerifyResult(False, expected - 1, "removed", expected)
        if chain_hash(row_fields(row), row.prev_hash) != row.hash:
            return VerifyResult(False, expected - 1, "changed", row.seq)
        if row.prev_hash != prev:
            problem: Problem = "reordered" if row.prev_hash in known else "removed"
            return VerifyResult(False, expected - 1, problem, row.seq)
        prev, expected = row.hash, expected + 1
    last = expected - 1
    if head_seq is not None and head_seq > last:
        return VerifyResult(False, last, "removed", last + 1)
    if head_seq == last and head_hash is not None and last > 0 and head_hash != prev:
        return VerifyResult(False, last, "changed", last)
    return VerifyResult(True, last, head_hash=prev)
