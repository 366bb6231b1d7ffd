"""The time said inside a longer request ("book Mary Smith 10004821 into cardiology next
tues 10am", "... on the 14th", "... asap"), for when NLU tagged none of it or only a part
("10am" of "next tues 10am").

A span is a run of words a time is made of (``actions.timeparse``): day and month names and
their abbreviations, clock times, day numbers and dates; the longest one that is understood
as a day, a clock time or "as soon as possible" is the time. A part of the day alone ("Jane
Morning") is not taken from a request, and an MRN's digits are never part of a span.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from actions.timeparse import (
    _DAY_MONTH,
    _MONTH_DAY,
    _NUMERIC,
    _ORDINAL,
    _TIME_WORDS,
    SOONEST,
    names_day,
    parse_time_preference,
    said_as,
)

_TOKEN = re.compile(r"[a-z0-9/:.']+")
_TIME_TOKEN = re.compile(
    r"\d{1,2}(?:[:.]\d\d)?(?:am|pm|a\.m\.?|p\.m\.?)?"  # 10, 10:00, 10am
    r"|\d{1,2}/\d{1,2}(?:/\d{2}(?:\d\d)?)?"  # 24/12, 24/12/2026
    r"|\d{1,2}(?:st|nd|rd|th)"  # 24th
    r"|20\d\d(?:-\d\d-\d\d)?"  # a year, an ISO date
)
_DATE = re.compile("|".join(p.pattern for p in (_NUMERIC, _DAY_MONTH, _MONTH_DAY, _ORDINAL)))
# words that may join a time but do not end one ("tomorrow please", "the 14th")
_EDGE = frozenset(
    "please pls then ok okay and or if can be maybe ideally preferably sometime a an to of "
    "by the".split()
)


_CLOCK_WRITTEN = re.compile(r"\d[:.]\d\d|\d\s*(?:am|pm|a\.m|p\.m)\b|o'?clock")


def _timeish(token: str) -> bool:
    word = token.strip(".'")
    if _TIME_TOKEN.fullmatch(word):
        return True
    return all(w in _TIME_WORDS for w in said_as(word).split()) if word else False


def time_in(text: str | None, now: datetime, tz: str | ZoneInfo) -> str | None:
    """The longest time said in ``text`` naming a day, a clock time or "asap" (as typed),
    or None."""
    low = str(text or "").lower()
    runs: list[list[re.Match[str]]] = [[]]
    for token in _TOKEN.finditer(low):
        previous = runs[-1][-1] if runs[-1] else None
        joined = previous is None or not low[previous.end() : token.start()].strip(" ,")
        if _timeish(token.group()) and joined:
            runs[-1].append(token)
        elif _timeish(token.group()):
            runs.append([token])
        elif runs[-1]:
            runs.append([])
    best: str | None = None
    days: list[str] = []  # "friday" of "the 12:00 ent slot friday": a day, no clock time
    clocks: list[str] = []  # "12:00" of it: a clock time written as one, no day
    for run in runs:
        while run and run[0].group().strip(".'") in _EDGE:
            run = run[1:]
        while run and run[-1].group().strip(".'") in _EDGE:
            run = run[:-1]
        if not run:
            continue
        said = text[run[0].start() : run[-1].end()].strip(" .") if text else ""
        pref = parse_time_preference(said, now, tz)
        if pref is None:
            if _DATE.search(said.lower()) and best is None:
                best = said  # "on 31/02": said, so the time check explains it is not a day
            continue
        day = names_day(said, now, tz)
        if not (pref.exact or day or any(w in said.lower() for w in SOONEST)):
            continue
        if day and not pref.exact:
            days.append(said)
        elif pref.exact and not day and _CLOCK_WRITTEN.search(said.lower()):
            clocks.append(said)
        if best is None or len(said) > len(best) or parse_time_preference(best, now, tz) is None:
            best = said
    if len(days) == 1 and len(clocks) == 1 and best in (days[0], clocks[0]):
        both = f"{days[0]} at {clocks[0]}"  # said apart: that day at that time
        pref = parse_time_preference(both, now, tz)
        if pref is not None and pref.exact:
            return both
    return best


def whole_time(tagged: str | None, text: str, now: datetime, tz: str | ZoneInfo) -> str | None:
    """The time ``text`` says: the span around NLU's ``tagged`` part of it ("next tues
    10am" for "10am"), the span NLU missed, or ``tagged`` itself."""
    span = time_in(text, now, tz)
    if span is None:
        return tagged
    if not tagged:
        return span
    return span if tagged.lower() in span.lower() and len(span) > len(tagged) else tagged
