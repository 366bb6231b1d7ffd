"""The audit event, the sink port and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

OUTCOMES = ("success", "denied", "not_found", "conflict", "error", "refused")


class AuditError(Exception):
    """Base class of audit trail errors."""


class AuditWriteError(AuditError):
    """The event could not be written; the caller must not run the action."""


@dataclass(frozen=True)
class AuditEvent:
    """One guarded action. Holds no PHI: patient_ref is a FHIR reference, never a name/MRN."""

    staff: str
    role: str
    channel: str
    intent: str
    action: str
    permission: str | None
    resource: str | None
    patient_ref: str | None
    outcome: str  # success|denied|not_found|conflict|error|refused
    detail: str = ""
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown audit outcome {self.outcome!r}; expected one of {OUTCOMES}")


class AuditSink(Protocol):
    def record(self, event: AuditEvent) -> None:
        """Write the event durably or raise AuditWriteError."""
        ...


class AuditProbe(Protocol):
    """A sink that can say, cheaply and without writing, whether ``record`` would work now.

    Guarded actions call ``check()`` before ``perform`` so that an action that changes data
    never runs while the trail cannot be written.
    """

    def check(self) -> None:
        """Return if the trail is writable now; raise AuditWriteError if not."""
        ...


@dataclass
class InMemoryAuditSink:
    """A sink for tests; set ``fail`` to make ``record`` raise AuditWriteError."""

    events: list[AuditEvent] = field(default_factory=list)
    fail: bool = False
    check_fails: bool = False  # only the writability probe fails (``record`` would work)

    def check(self) -> None:
        if self.fail or self.check_fails:
            raise AuditWriteError("in-memory audit sink set to fail")

    def record(self, event: AuditEvent) -> None:
        if self.fail:
            raise AuditWriteError("in-memory audit sink set to fail")
        self.events.append(event)
