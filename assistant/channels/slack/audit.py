"""Refusal audit events written to the assistant's audit trail (``assistant.audit``)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

logger = logging.getLogger(__name__)


class AuditTrailRefusals:
    """Adapts a sync ``AuditSink`` (``record(AuditEvent)``) to the channel's refusal port."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink

    async def refused(self, *, slack_user: str, reason: str, staff: str | None) -> None:
        from assistant.audit import AuditEvent

        event = AuditEvent(
            staff=staff or f"slack:{slack_user}",
            role="unknown",
            channel="slack",
            intent="sign_in",
            action="slack_identity",
            permission=None,
            resource=f"slack-user/{slack_user}",
            patient_ref=None,
            outcome="refused",
            reason=reason,
        )
        await asyncio.to_thread(self._sink.record, event)


def open_refusal_audit(settings: Any) -> AuditTrailRefusals | None:
    """The audit trail of these settings, or None when it cannot be opened (logged)."""
    try:
        from assistant.audit import open_audit_sink

        return AuditTrailRefusals(open_audit_sink(settings))
    except Exception as exc:
        logger.warning(
            "slack: audit trail unavailable (%s); refusals only logged", type(exc).__name__
        )
        return None
