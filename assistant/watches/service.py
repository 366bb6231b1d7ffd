"""``WatchService``: every few seconds, expire old watches, look for freed beds, notify.

Reading the HMS here is on behalf of the watch's owner: before a notice goes out the
owner's roles are read again and must still allow ``beds:read`` (else the watch is
cancelled), and each notice (or refusal) is one audit event, as for a guarded action.
A notice goes to the first channel that reaches the owner: a Slack DM when Slack is set
up and knows them, else the kiosk inbox (shown at their next sign-in).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.audit import AuditEvent
from assistant.hms.errors import HmsError
from assistant.watches.detect import Freed, look
from assistant.watches.notify import NoticeChannel, bed_freed_notice
from assistant.watches.store import CANCELLED, WatchStore

log = logging.getLogger(__name__)
INTENT = "watch_bed_availability"
PERMISSION = "beds:read"


@dataclass
class WatchService:
    watches: WatchStore
    hms: Callable[[], Any]  # the process's HMS client (assistant.hms.HmsClient)
    channels: Sequence[NoticeChannel]
    audit: Any  # assistant.audit.AuditSink
    policy: Any  # assistant.rbac.policy.Policy
    interval: float = 10.0

    async def tick(self) -> int:
        """One pass; the number of notices delivered."""
        self.watches.expire()
        due = self.watches.active()
        if not due:
            return 0
        hms = self.hms()
        found = await look(hms, due)
        news = {f.watch.id for f in found.freed}
        for watch in due:
            current = found.free_now.get(watch.id)
            if current is not None and watch.id not in news and current != watch.baseline:
                self.watches.set_baseline(watch.id, current)
        sent = 0
        for freed in found.freed:
            sent += await self._notify(hms, freed)
        return sent

    async def _notify(self, hms: Any, freed: Freed) -> int:
        watch, bed = freed.watch, freed.bed
        try:
            staff = (await hms.find_staff(username=watch.staff) or [None])[0]
        except HmsError as exc:
            log.warning("bed watch %s: staff lookup failed (%s)", watch.id, type(exc).__name__)
            return 0
        if staff is None or not staff.active or not self.policy.allows(staff.roles, PERMISSION):
            if self.watches.cancel(watch.staff, watch.id):
                self._audit(watch.staff, staff, watch.channel, bed.id, "denied", "no beds:read")
            return 0
        check = getattr(self.audit, "check", None)
        if check is not None:
            try:
                check()  # no notice while the audit trail cannot be written
            except Exception as exc:
                log.error(
                    "bed watch %s: audit trail unavailable (%s)", watch.id, type(exc).__name__
                )
                return 0
        if not self.watches.claim(watch.id, bed.id, bed.label):
            return 0  # another worker sent it, or the watch was cancelled meanwhile
        notice = bed_freed_notice(watch, bed)
        for channel in self.channels:
            try:
                reached = await channel.deliver(staff, notice)
            except Exception as exc:  # a channel down must not lose the notice
                log.warning(
                    "bed watch %s: %s failed (%s)", watch.id, channel.name, type(exc).__name__
                )
                reached = False
            if reached:
                self.watches.delivered(watch.id, channel.name)
                self._audit(
                    watch.staff, staff, channel.name, bed.id, "success", f"watch {watch.id}"
                )
                return 1
        log.error("bed watch %s: no channel reached the requester", watch.id)
        return 0

    def _audit(
        self, username: str, staff: Any, channel: str, bed_id: str, outcome: str, detail: str
    ) -> None:
        roles = sorted(getattr(staff, "roles", ()) or ())
        try:
            self.audit.record(
                AuditEvent(
                    staff=username,
                    role=roles[0] if roles else "unknown",
                    channel=channel,
                    intent=INTENT,
                    action="notify_bed_freed",
                    permission=PERMISSION,
                    resource=f"Location/{bed_id}",
                    patient_ref=None,
                    outcome=outcome,
                    detail=detail,
                )
            )
        except Exception as exc:
            log.error("bed watch: audit write failed (%s)", type(exc).__name__)

    async def run(self) -> None:
        """Tick forever (until cancelled); a failed pass is logged and retried."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("bed watch pass failed: %s", type(exc).__name__)


__all__ = ["CANCELLED", "WatchService"]
