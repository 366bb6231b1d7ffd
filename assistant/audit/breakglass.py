"""Emergency access ("break glass") read from the audit trail: grants, accesses, reports.

There is no grant table: a grant *is* an audit event. A break-glass access is an event whose
``reason`` starts with ``breakglass: `` (followed by the staff member's scrubbed reason);
its ``detail`` says whether it opened the grant (``breakglass=grant minutes=<n>``) or used
an open one (``breakglass=use``). A grant is active for ``minutes`` after it was recorded,
for that staff member and that patient only. Pure functions over stored rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from assistant.audit.chain import utc
from assistant.logging import redact_phi

REASON_PREFIX = "breakglass: "
GRANT_DETAIL = "breakglass=grant"
USE_DETAIL = "breakglass=use"
SUMMARY_REASON_CHARS = 80


class StoredEvent(Protocol):
    seq: int
    at: datetime
    staff: str
    role: str
    channel: str
    patient_ref: str | None
    outcome: str
    detail: str
    reason: str | None


@dataclass(frozen=True)
class BreakGlassAccess:
    seq: int
    at: datetime
    staff: str
    role: str
    channel: str
    patient_ref: str | None
    reason: str  # scrubbed when written; without the prefix
    outcome: str
    grant: bool


def grant_reason(reason: str) -> str:
    """The ``AuditEvent.reason`` for a break-glass access."""
    return REASON_PREFIX + reason


def accesses(rows: Iterable[StoredEvent]) -> list[BreakGlassAccess]:
    """The break-glass accesses among ``rows`` (any order kept)."""
    out = []
    for row in rows:
        reason = row.reason or ""
        if not reason.startswith(REASON_PREFIX):
            continue
        out.append(
            BreakGlassAccess(
                seq=row.seq,
                at=utc(row.at),
                staff=row.staff,
                role=row.role,
                channel=row.channel,
                patient_ref=row.patient_ref,
                reason=reason[len(REASON_PREFIX) :],
                outcome=row.outcome,
                grant=(row.detail or "").startswith(GRANT_DETAIL),
            )
        )
    return out


def active_grant(
    rows: Iterable[StoredEvent], staff: str, patient_ref: str, now: datetime, minutes: int
) -> BreakGlassAccess | None:
    """The newest successful grant to ``staff`` for ``patient_ref`` still inside its window."""
    since = utc(now) - timedelta(minutes=minutes)
    live = [
        a
        for a in accesses(rows)
        if a.grant
        and a.outcome == "success"
        and a.staff == staff
        and a.patient_ref == patient_ref
        and since <= a.at <= utc(now)
    ]
    return max(live, key=lambda a: a.seq, default=None)


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of a calendar day in the hospital's time zone."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def report_lines(items: list[BreakGlassAccess], day: date, tz: str) -> list[str]:
    """The local, detailed report (patient references included; for authorised eyes)."""
    zone = ZoneInfo(tz)
    lines = [f"Break-glass accesses on {day.isoformat()} ({tz}): {len(items)}"]
    for a in items:
        kind = "grant" if a.grant else "use"
        lines.append(
            f"{a.at.astimezone(zone):%H:%M:%S}  {a.staff} ({a.role}, {a.channel})  "
            f"{a.patient_ref or '-'}  {kind}/{a.outcome}  reason: {a.reason}  [event {a.seq}]"
        )
    return lines


def summary_text(items: list[BreakGlassAccess], day: date) -> str:
    """The Slack summary: counts per staff member and their scrubbed reasons, no patients."""
    header = f"Break-glass summary for {day.isoformat()}: "
    if not items:
        return header + "no emergency accesses."
    counts = Counter(a.staff for a in items)
    reasons: dict[str, list[str]] = {}
    for a in items:
        if a.grant:
            short = _short(a.reason)
            if short not in reasons.setdefault(a.staff, []):
                reasons[a.staff].append(short)
    lines = [header + f"{len(items)} emergency accesses by {len(counts)} staff."]
    for staff, count in sorted(counts.items()):
        said = "; ".join(f"\u201c{r}\u201d" for r in reasons.get(staff, [])) or "-"
        lines.append(f"\u2022 {staff}: {count} (reasons: {said})")
    lines.append(
        f"Details (patients, times): run `python -m assistant audit breakglass-report "
        f"--date {day.isoformat()}` on the assistant server."
    )
    return "\n".join(lines)


def _short(reason: str) -> str:
    text = " ".join(redact_phi(reason).split())
    if len(text) > SUMMARY_REASON_CHARS:
        text = text[: SUMMARY_REASON_CHARS - 1] + "\u2026"
    return text
