"""A time said relative to the one in hand, while slots are offered or one is confirmed:
"can we do the week after instead", "make it the following week", "a week later", "the
day after": that many days after the day in hand (the slot being confirmed, else the
offered slots' day, else the day asked) - the same booking or move, same patient and clinic
(it asked the patient's name and turned a booking into a move, or offered the same slots).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from actions.timeparse import _day

_LATER = re.compile(
    r"\b(?:(?:the\s+)?(?P<a>week|day)\s+after(?!\s+(?:tomorrow|next))\b"
    r"|(?:the\s+)?following\s+(?P<b>week|day)\b"
    r"|(?:a|one)\s+(?P<c>week|day)\s+later\b"
    r"|(?P<d>week)\s+after\s+that\b)",
    re.I,
)
_DAYS = {"week": 7, "day": 1}


def _day_in_hand(before: dict[str, Any], today: date, tz: str) -> date | None:
    """The day of the slot being confirmed, else of the first slot offered, else the one
    day the time asked names."""
    confirmed = before.get("confirmed")
    offered = before.get("offered")
    start = None
    if isinstance(confirmed, dict) and confirmed.get("start"):
        start = str(confirmed["start"])
    elif isinstance(offered, dict) and offered.get("kind") == "slot" and offered.get("starts"):
        start = str(offered["starts"][0])
    if start:
        return datetime.fromisoformat(start).astimezone(ZoneInfo(tz)).date()
    days = _day(" ".join(str(before.get("time") or "").lower().split()), today)
    return days[0] if days else None


def later_time(text: str, before: dict[str, Any], now: datetime, tz: str) -> str | None:
    """The time value ("2026-12-11") ``text`` moves to when it says "the week after" and
    the like, relative to the day in hand; None otherwise."""
    found = _LATER.search(text or "")
    if found is None or str(text).lstrip().startswith("/"):
        return None
    unit = next(g for g in found.groups() if g)
    today = now.astimezone(ZoneInfo(tz)).date()
    held = _day_in_hand(before, today, tz)
    if held is None:
        return None
    moved = date.fromordinal(held.toordinal() + _DAYS[unit.lower()])
    return moved.isoformat()


def says_later(text: str | None) -> bool:
    """ "the week after", "a day later": a time said relative to a day in hand."""
    return bool(text) and _LATER.search(str(text)) is not None


def after_the_appointment(text: str | None, start: datetime, now: datetime, tz: str) -> str | None:
    """ "move her neuro one to the week after": the day that many days after the
    appointment being moved (``start``), as a time value ("2026-12-18"); None when the
    words say no such thing."""
    if not says_later(text):
        return None
    return later_time(str(text), {"confirmed": {"start": start.isoformat()}}, now, tz)
