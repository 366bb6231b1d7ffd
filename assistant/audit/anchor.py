"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint states "the trail had ``count`` events and event ``count``'s hash was
``head``, at ``at``", signed (Ed25519, derived from the newest audit key). Checkpoints are
appended, one JSON line each, to ``AUDIT_ANCHOR_FILE`` (default
``var/audit/anchors.jsonl``) for the operator to ship to WORM storage, and included in the
daily compliance post. ``audit verify --anchor FILE`` then proves that the trail in the
database still extends every anchored head: an attacker who rewrites or truncates the
trail, even recomputing every hash, cannot make it pass without the audit key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from assistant.audit.chain import VerifyResult, utc
from assistant.audit.keys import AuditKeyError, AuditKeys

AnchorProblem = Literal["bad_signature", "truncated", "diverged", "unknown_key"]


class AnchorError(ValueError):
    """An anchor file that cannot be read as checkpoints."""


@dataclass(frozen=True)
class Checkpoint:
    count: int
    head: str
    at: str  # ISO 8601 UTC
    key_id: str
    signature: str = ""

    def payload(self) -> bytes:
        fields = {"count": self.count, "head": self.head, "at": self.at, "key_id": self.key_id}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def text(self) -> str:
        """One human line (the compliance post)."""
        return (
            f"Audit checkpoint: {self.count} events, head {self.head}, at {self.at}, "
            f"key {self.key_id}, signature {self.signature}"
        )


def make_checkpoint(result: VerifyResult, keys: AuditKeys, now: datetime) -> Checkpoint:
    """Sign the head of a trail that just verified (never anchor a broken trail)."""
    if not result.ok:
        raise AnchorError(f"not anchoring a trail that does not verify: {result.message}")
    unsigned = Checkpoint(
        count=result.checked,
        head=result.head_hash or "0" * 64,
        at=utc(now).isoformat(timespec="seconds"),
        key_id=keys.current_id,
    )
    key_id, signature = keys.sign(unsigned.payload())
    return Checkpoint(unsigned.count, unsigned.head, unsigned.at, key_id, signature)


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line (owner-only file, created if needed) and flush it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(checkpoint.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_checkpoints(path: Path) -> list[Checkpoint]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AnchorError(f"cannot read the anchor file {path}: {exc.strerror}") from exc
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.append(
                Checkpoint(
                    int(data["count"]),
                    str(data["head"]),
                    str(data["at"]),
                    str(data["key_id"]),
                    str(data["signature"]),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorError(f"{path} line {number} is not a checkpoint") from exc
    if not out:
        raise AnchorError(f"{path} holds no checkpoint")
    return out


class HashAt(Protocol):
    def __call__(self, seq: int) -> str | None: ...


@dataclass(frozen=True)
class AnchorResult:
    ok: bool
    checked: int  # checkpoints checked
    problem: AnchorProblem | None = None
    checkpoint: Checkpoint | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return f"the trail extends all {self.checked} anchored checkpoints"
        cp = self.checkpoint
        where = f"checkpoint of {cp.count} events at {cp.at}" if cp else "checkpoint"
        reasons = {
            "bad_signature": "its signature does not verify (forged or altered anchor)",
            "unknown_key": "it was signed with an audit key that is not configured",
            "truncated": "the trail is now shorter: events were removed",
            "diverged": "the trail no longer holds that head: events were rewritten",
        }
        return f"audit trail does NOT match the {where}: {reasons[self.problem or 'diverged']}"


def check_anchors(
    checkpoints: Iterable[Checkpoint], keys: AuditKeys, trail: VerifyResult, hash_at: HashAt
) -> AnchorResult:
    """Every checkpoint must be signed by a configured key and be a prefix of the trail."""
    checked = 0
    for cp in checkpoints:
        try:
            signed = keys.verify_signature(cp.key_id, cp.payload(), cp.signature)
        except AuditKeyError:
            return AnchorResult(False, checked, "unknown_key", cp)
        if not signed:
            return AnchorResult(False, checked, "bad_signature", cp)
        if cp.count > trail.checked:
            return AnchorResult(False, checked, "truncated", cp)
        actual = hash_at(cp.count) if cp.count else "0" * 64
        if actual != cp.head:
            return AnchorResult(False, checked, "diverged", cp)
        checked += 1
    return AnchorResult(True, checked)
