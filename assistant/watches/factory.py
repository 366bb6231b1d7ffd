"""Build the gateway's ``WatchService`` from settings and the store (never at import)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from assistant.watches.notify import KioskInbox, NoticeChannel
from assistant.watches.service import WatchService
from assistant.watches.store import NoticeStore, WatchStore


def build_watch_service(
    settings: Any,
    store: Any,
    hms: Callable[[], Any],
    *,
    first: Sequence[NoticeChannel] = (),
    audit: Any = None,
    policy: Any = None,
) -> WatchService:
    """Channels tried in order: ``first`` (e.g. the Slack DM), then the kiosk inbox."""
    if audit is None:
        from assistant.audit.keys import AuditKeys
        from assistant.audit.trail import SqlAuditTrail

        audit = SqlAuditTrail(store, AuditKeys.from_settings(settings))
    if policy is None:
        from assistant.rbac.policy import load_policy

        policy = load_policy()
    return WatchService(
        watches=WatchStore(store),
        hms=hms,
        channels=[*first, KioskInbox(NoticeStore(store))],
        audit=audit,
        policy=policy,
        interval=float(getattr(settings, "bed_watch_poll_seconds", 10.0)),
    )
