"""Build the gateway's ``HandoffService`` from settings (embedded or Redis mode).

service = build_handoff(settings, open_store())
assistant = EscalatingAssistant(RasaAssistant(..., handoff=service), service)
service.attach_assistant(assistant)
# Slack: register_helpdesk(bolt_app, settings, ctx.handoff, directory=...)
# lifespan: await service.start(); ...; await service.aclose()
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from assistant.crypto import DataCipher
from assistant.handoff.bus import MemoryBus, RedisBus
from assistant.handoff.inbox import MemoryInbox, RedisInbox
from assistant.handoff.relay import HandoffService
from assistant.handoff.state import RelayStateStore
from assistant.handoff.tickets import TicketStore


def _minutes(settings: Any, name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value else default


def build_handoff(
    settings: Any, store: Any, *, audit: Any = None, policy: Any = None
) -> HandoffService:
    """Redis bus and inbox when ``REDIS_URL`` is set, else in-process; tickets in ``store``."""
    if audit is None:
        from assistant.audit.keys import AuditKeys
        from assistant.audit.trail import SqlAuditTrail

        audit = SqlAuditTrail(store, AuditKeys.from_settings(settings))
    if policy is None:
        from assistant.rbac.policy import load_policy

        policy = load_policy()
    if settings.redis_url:
        bus: Any = RedisBus.from_url(settings.redis_url)
        inbox: Any = RedisInbox(bus._redis)
    else:
        bus, inbox = MemoryBus(), MemoryInbox()
    remind = settings.handoff_remind_minutes
    escalate = _minutes(settings, "handoff_escalate_minutes", remind)
    return HandoffService(
        tickets=TicketStore(store, DataCipher.from_settings(settings)),
        state=RelayStateStore(store),
        bus=bus,
        inbox=inbox,
        remind_after=timedelta(minutes=remind),
        escalate_after=timedelta(minutes=escalate),
        policy=policy,
        audit=audit,
    )
