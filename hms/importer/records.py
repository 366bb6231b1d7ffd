"""What an import reads (records, from CSV rows or FHIR resources) and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bed:
    ward_code: str
    code: str  # e.g. 4B-06
    name: str
    room: str | None
    features: tuple[str, ...]
    status: str  # v2-0116, used when the bed is created


@dataclass(frozen=True)
class RoleAt:
    role: str
    ward_code: str | None = None
    service_code: str | None = None


@dataclass(frozen=True)
class Staff:
    username: str
    prefix: str | None
    given: str
    family: str
    email: str
    roles: tuple[RoleAt, ...] = ()


@dataclass(frozen=True)
class Patient:
    mrn: str
    family: str
    given: str
    birth_date: date
    gender: str


@dataclass(frozen=True)
class Stay:
    mrn: str
    location_code: str  # a bed code (4B-06) or a ward code (4B)
    start: datetime  # naive UTC
    visit_number: str | None


@dataclass(frozen=True)
class Appointment:
    mrn: str
    clinician: str  # staff username
    service_code: str
    start: datetime  # naive UTC
    end: datetime


Record = Ward | Bed | Staff | Patient | Stay | Appointment
KIND_NAMES: dict[type, str] = {
    Ward: "Ward",
    Bed: "Bed",
    Staff: "Staff",
    Patient: "Patient",
    Stay: "Stay",
    Appointment: "Appointment",
}


@dataclass(frozen=True)
class Item:
    """One record and where it came from (``row 12`` or ``entry 3``)."""

    where: str
    record: Record


@dataclass(frozen=True)
class Rejection:
    where: str
    reason: str
    key: str = ""  # e.g. "MRN 10004821" (written to the report file, never logged)


class RowError(ValueError):
    """A row or resource that cannot be read; the message is the reason."""


@dataclass
class FileReport:
    """The reconciliation of one file (dry-run or commit)."""

    file: str
    kind: str
    mode: str  # dry-run | commit
    read: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    create: dict[str, int] = field(default_factory=dict)
    update: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    committed: bool = False
    error: str | None = None  # the file could not be read, or its commit failed

    @property
    def valid(self) -> int:
        return self.read - len(self.rejected) - sum(self.skipped.values())

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    def as_json(self) -> dict[str, Any]:
        verb = "would_" if self.mode == "dry-run" else ""
        return {
            "file": self.file,
            "kind": self.kind,
            "mode": self.mode,
            "read": self.read,
            "valid": self.valid,
            "rejected": [
                {"where": r.where, "key": r.key, "reason": r.reason} for r in self.rejected
            ],
            f"{verb}create": dict(sorted(self.create.items())),
            f"{verb}update": dict(sorted(self.update.items())),
            "unchanged": dict(sorted(self.unchanged.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "committed": self.committed,
            "error": self.error,
        }
