"""Audit trail: one event per guarded action, append-only, hash-chained, FHIR-exportable.

Actions call ``sink.record(AuditEvent(...))`` before answering; if it raises
``AuditWriteError`` the action must not run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.audit.chain import VerifyResult
from assistant.audit.events import (
    OUTCOMES,
    AuditError,
    AuditEvent,
    AuditProbe,
    AuditSink,
    AuditWriteError,
    InMemoryAuditSink,
)

if TYPE_CHECKING:
    from assistant.audit.trail import SqlAuditTrail
    from assistant.config import Settings

__all__ = [
    "OUTCOMES",
    "AuditError",
    "AuditEvent",
    "AuditProbe",
    "AuditSink",
    "AuditWriteError",
    "InMemoryAuditSink",
    "VerifyResult",
    "open_audit_sink",
]


def open_audit_sink(settings: Settings) -> SqlAuditTrail:
    """The SQL audit trail on the assistant store of these settings.

    Raises AuditWriteError if the store cannot be opened (the caller must then refuse).
    """
    from assistant.audit.trail import SqlAuditTrail
    from assistant.store import StoreError, open_store

    try:
        store = open_store(settings)
    except StoreError as exc:
        raise AuditWriteError(str(exc)) from exc
    return SqlAuditTrail(store)
