"""A clock time said on its own for a booking ("friday" / "neurology" / "10:00", or "10:00"
to "When?"): when that very time is free, the booking goes straight to its confirmation
("Book H.C. ... on Fri 4 Dec at 10:00?") instead of a list of three slots around it. A
time said inside the request itself ("book R.K. into cardiology next tues 10am") is a
preference among the nearest slots, which are offered as before. A slot picked from a
free-slots list just shown ("book the 2nd for ...") is confirmed the same way."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from actions.timeparse import parse_time_preference, says_only_time
from assistant.hms.models import Slot


def said_alone(events: list[dict[str, Any]], value: Any, now: datetime, tz: str) -> bool:
    """The message that gave the time slot its current ``value`` said only a time, with a
    clock time in it."""
    if value in (None, ""):
        return False
    since: int | None = None  # the first event of the run that has held ``value``
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event.get("event") == "slot" and event.get("name") == "time":
            if event.get("value") != value:
                break
            since = i
    if since is None:
        return False
    said = next(
        (str(e.get("text") or "") for e in reversed(events[:since]) if e.get("event") == "user"),
        "",
    )
    pref = parse_time_preference(said, now, tz)
    return pref is not None and pref.exact and says_only_time(said, now, tz)


_PICKED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def picked(value: Any) -> bool:
    """A time value that names one slot shown ("2026-12-07 09:40": "book the 2nd" right
    after a free-slots list, ``actions.shownslots``), never words someone typed."""
    return isinstance(value, str) and bool(_PICKED.match(value))


def the_time_asked(
    events: list[dict[str, Any]], value: Any, slots: list[Slot], now: datetime, tz: str
) -> Slot | None:
    """Of the slots found, the one starting at the clock time said on its own; None when
    the time was said with the request, or that time is not among them."""
    if not (picked(value) or said_alone(events, value, now, tz)):
        return None
    pref = parse_time_preference(str(value), now, tz)
    if pref is None or not pref.exact:
        return None
    return next((s for s in slots if s.start == pref.target), None)
