"""An exact time for a booking: when that very time is free, the booking goes straight to
its confirmation ("Book H.C. ... on Fri 4 Dec at 10:00?") instead of a list of three slots
around it. Exact is a clock time said on its own ("friday" / "neurology" / "10:00", or
"10:00" to "When?"), or a day and a clock time said together, in the request or not ("book
K.D. into dermatology mon 7 dec at 12:20", "next tues 10am", a slot just shown picked by
"the 2nd"). A hedged time ("around 10am", "10ish", "about 2") is a preference: the nearest
slots are offered."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from actions.timeparse import names_day, parse_time_preference, says_only_time
from assistant.hms.models import Slot

# "around 10", "about 2pm", "10ish", "roughly", "or so": a preference, not the time itself
_HEDGED = re.compile(
    r"\b(?:around|about|roughly|approx\w*|ish|or\s+so|near|nearest|close\s+to|ideally|"
    r"preferably|if\s+possible|or\s+(?:later|earlier|after|before))\b|\d-?ish\b",
    re.I,
)


def _said_with(events: list[dict[str, Any]], value: Any) -> str | None:
    """The user's message that gave the time slot its current ``value``, or None."""
    if value in (None, ""):
        return None
    since: int | None = None  # the first event of the run that has held ``value``
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event.get("event") == "slot" and event.get("name") == "time":
            if event.get("value") != value:
                break
            since = i
    if since is None:
        return None
    return next(
        (str(e.get("text") or "") for e in reversed(events[:since]) if e.get("event") == "user"),
        "",
    )


def said_alone(events: list[dict[str, Any]], value: Any, now: datetime, tz: str) -> bool:
    """The message that gave the time slot its current ``value`` said only a time, with a
    clock time in it."""
    said = _said_with(events, value)
    if said is None:
        return False
    pref = parse_time_preference(said, now, tz)
    return pref is not None and pref.exact and says_only_time(said, now, tz)


def exact_day_and_time(events: list[dict[str, Any]], value: Any, now: datetime, tz: str) -> bool:
    """The time slot's ``value`` names a day and a clock time, and the message that gave it
    did not hedge it ("around 10am")."""
    said = _said_with(events, value)
    if said is None or _HEDGED.search(said):
        return False
    pref = parse_time_preference(str(value), now, tz)
    return pref is not None and pref.exact and names_day(str(value), now, tz)


def the_time_asked(
    events: list[dict[str, Any]], value: Any, slots: list[Slot], now: datetime, tz: str
) -> Slot | None:
    """Of the slots found, the one starting at the exact time asked (said on its own, or a
    day and a clock time unhedged); None otherwise, or when that time is not among them."""
    if not (said_alone(events, value, now, tz) or exact_day_and_time(events, value, now, tz)):
        return None
    pref = parse_time_preference(str(value), now, tz)
    if pref is None or not pref.exact:
        return None
    return next((s for s in slots if s.start == pref.target), None)
