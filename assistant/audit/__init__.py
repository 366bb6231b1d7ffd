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
    """The SQL audit trail on the assistant store of these settings, keyed with its audit keys.

    Raises AuditWriteError if the store cannot be opened or no audit key is configured (the
    caller must then refuse).
    """
    from assistant.audit.keys import AuditKeyError, AuditKeys
    from assistant.audit.trail import SqlAuditTrail
    from assistant.store import StoreError, open_store

    try:
        keys = AuditKeys.from_settings(settings)
        store = open_store(settings)
    except (StoreError, AuditKeyError) as exc:
        raise AuditWriteError(str(exc)) from exc
    return SqlAuditTrail(store, keys)
