"""Another time while choosing or confirming a slot: "make it the afternoon", "actually 3pm",
"can we do friday instead"; and right after a booking ("actually make it thursday").

While a booking or a move offers slots (or asks to confirm one), a message that is only a
time, with words that change it, is a new time for the same request: the slots are
offered afresh. Right after a booking was made, the same message moves it: the move is a
new request that asks the patient again (the booking's ``last_task`` keeps its clinic and
time only, never the patient). A time that names no day ("the afternoon", "3pm") keeps the day asked
before ("tomorrow" + "the afternoon" is tomorrow afternoon, not this afternoon). A time
that picks one of the offered slots ("the 09:20") is a choice, not a new time (see
``actions.scheduling.chosen``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from actions.calendar_words import _DAY_MONTH, _MONTH_DAY, _NUMERIC
from actions.timeparse import MONTHS, SOONEST, _day, parse_time_preference, says_only_time

# words that may stand around a new time ("can we do the afternoon instead", "make it 3pm";
# "hmm actually can it be afternoon" was "Please pick one of these.")
_CHANGE = re.compile(
    r"\b(?:actually|sorry|no|nope|wait|hang\s+on|oh|um|er|hmm+|make\s+it|make\s+that|"
    r"change\s+it\s+to|(?:can|could)\s+(?:it|that|we)\s+be|maybe|please|pls|"
    r"can\s+we\s+do|could\s+we\s+do|can\s+we\s+try|could\s+we\s+try|how\s+about|what\s+about|"
    r"let'?s\s+(?:do|say|try)|rather|instead|better|i'?d\s+prefer|prefer(?:ably)?|i\s+meant?|"
    r"would\s+be\s+better|one|slot|appointment|something|if\s+possible)\b",
    re.I,
)


def said_time(text: str, now: datetime, tz: str) -> str | None:
    """The time a message changes to, when it is only that ("make it the afternoon");
    None for anything else."""
    if not text or text.lstrip().startswith("/"):
        return None
    rest = _CHANGE.sub(" ", text)
    rest = re.sub(r"[?!.,]", " ", rest).strip()
    if not rest or not says_only_time(rest, now, tz):
        return None
    return rest


def on_the_day_asked(said: str, previous: str | None, now: datetime, tz: str) -> str:
    """``said`` on the day ``previous`` named, when ``said`` names no day of its own
    ("the afternoon" after "tomorrow" -> "the afternoon on december 4"); a range of days
    before ("next week") or none leaves ``said`` as it is."""
    today = now.astimezone(ZoneInfo(tz)).date()
    clean = " ".join(said.lower().split())
    if any(word in clean for word in SOONEST) or _day(clean, today) is not None:
        return said
    days = _day(" ".join((previous or "").lower().split()), today)
    if days is None or days[0] != days[1]:
        return said
    return f"{said} on {MONTHS[days[0].month - 1]} {days[0].day}"


# a time of day of its own: a clock time or a part of the day (a date's numbers aside)
_TIME_OF_DAY = re.compile(
    r"\d|\b(?:morning|afternoon|evening|noon|midday|am|pm|o'?clock|half|quarter|asap|soon)\b",
    re.I,
)


def adds_a_time(said: str, previous: str | None, now: datetime, tz: str) -> str | None:
    """ "10:00" given after "friday", while the form asks something else: the time of day
    on the day held ("friday at 10:00") - a detail added, not a change; None when
    ``previous`` is no single day without a time of its own, or ``said`` names a day."""
    if not previous:
        return None
    if on_the_day_asked(said, previous, now, tz) == said:
        # a day said: "on wednesday" after "at 11am" (a time of day, no day) is that day then
        day_only = not _TIME_OF_DAY.search(_undated(said))
        if day_only and on_the_day_asked(previous, said, now, tz) != previous:
            return _joined(said, previous, now, tz)
        return None  # no single day held, or a day said
    if _TIME_OF_DAY.search(_undated(previous)):
        return None  # "friday 9am" then "10:00": the time changed
    return _joined(previous, said, now, tz)


def _undated(text: str) -> str:
    """``text`` without its dates' numbers ("4th dec", "24/12")."""
    return _NUMERIC.sub(" ", _DAY_MONTH.sub(" ", _MONTH_DAY.sub(" ", text)))


# words around a time that are no part of it ("morning please", "10am if possible")
_COURTESY = re.compile(r"\b(?:please|pls|thanks|thank\s+you|if\s+possible|ideally)\b", re.I)


def _joined(day: str, said: str, now: datetime, tz: str) -> str | None:
    """The time of day ``said`` on ``day`` ("friday" + "10:00" -> "friday at 10:00"); None
    when that is no time to come (taken as a change instead)."""
    said = " ".join(_COURTESY.sub(" ", said).split()).strip(" ,.!") or said  # "morning please"
    part = re.fullmatch(r"\s*(?:in\s+)?(?:the\s+)?(morning|afternoon|evening)\s*", said, re.I)
    if part:
        joined = f"{day} {part.group(1)}"  # "tomorrow" + "the afternoon"
    elif re.match(r"\s*(?:at|around|about)\b", said, re.I):
        joined = f"{day} {said}"
    else:
        joined = f"{day} at {said}"
    return joined if parse_time_preference(joined, now, tz) is not None else None


def moves_the_booking(last: Any, text: str, now: datetime, tz: str) -> dict[str, str] | None:
    """Right after a booking (``last_task``), "actually make it thursday": the details of
    moving it (the new time, on the day booked when it names none, and the clinic); None
    for anything else. Words that change it must be said: a bare time is no move."""
    if not isinstance(last, dict) or last.get("intent") != "book_appointment":
        return None
    said = said_time(text, now, tz)
    if said is None or said.strip().lower() == " ".join(text.lower().split()).strip(" ?!."):
        return None
    booked = dict(last.get("slots") or {})
    moved = {"time": on_the_day_asked(said, booked.get("time"), now, tz)}
    for kept in ("department", "mrn", "patient_name"):  # the same clinic and patient
        if booked.get(kept):
            moved[kept] = str(booked[kept])
    return moved


def in_a_date(text: str, entities: tuple[dict[str, Any], ...]) -> dict[str, str]:
    """Entities NLU tagged inside a date the message says ("10" in "Thu 10 Dec at 14:00"
    read as a name, "7" in "Mon 7 Dec" as a ward): entity -> value. They are the date's
    day, never a detail of their own."""
    low = text.lower()
    spans = [
        m.span() for pattern in (_DAY_MONTH, _MONTH_DAY, _NUMERIC) for m in pattern.finditer(low)
    ]
    found: dict[str, str] = {}
    for entity in entities:
        name, value = str(entity.get("entity") or ""), entity.get("value")
        start, end = int(entity.get("start") or 0), int(entity.get("end") or 0)
        if name == "time" or value in (None, "") or end <= start:
            continue
        if any(s <= start and end <= e for s, e in spans):
            found[name] = str(value)
    return found


# "move ... on monday to wednesday": the time after "to" is where it goes, the one before it
# ("on monday", "from monday", "monday's") says which appointment
_TO_TIME = re.compile(r"\b(?:to|till|until|into|for|make\s+it|instead)\s+(?:the\s+|a\s+)?$", re.I)


def moved_to(text: str, values: list[tuple[str, int]]) -> tuple[str, int] | None:
    """Of several times said in one move ("on monday to wednesday afternoon"), the one it
    goes to (with its offset): the one said after "to"; None when not exactly one is."""
    if len(values) < 2:
        return None
    low = text.lower()
    targets = [(v, start) for v, start in values if _TO_TIME.search(low[:start])]
    return targets[0] if len(targets) == 1 else None
