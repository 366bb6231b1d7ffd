"""A booking right after a clinic's free slots were shown ("cardiology free slots next
monday" -> three times): "book the 2nd for Ngozi Wright 10178698", "put her in the second
one", "the 09:40 for ..." picks one of the times shown - never the 2nd of the month (it
said "no free slots in the next two weeks"). The pick becomes that slot's exact date and
time, which a booking confirms straight away when it is still free (``actions.exacttime``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from actions.scheduling import offered_at
from actions.slotpick import ordinal_pick


def exact(start: datetime, tz: str) -> str:
    """A slot's start as a time value naming its day and clock time ("2026-12-07 09:40")."""
    return f"{start.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M}"


def picked_shown(text: str | None, shown: Any, now: datetime, tz: str) -> str | None:
    """The time value of the shown slot ``text`` picks by its place or its time, or None."""
    if not isinstance(shown, list) or not shown or not text or text.lstrip().startswith("/"):
        return None
    starts = [str(s) for s in shown]
    index = ordinal_pick(text, len(starts))
    if index is not None:
        return exact(datetime.fromisoformat(starts[index]), tz)
    offered = {"ids": starts, "starts": starts}
    at = offered_at(offered, text, now, tz)
    return exact(datetime.fromisoformat(at), tz) if at else None
