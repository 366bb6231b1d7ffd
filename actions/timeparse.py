"""Turn a spoken or typed time preference into a search window in the hospital time zone.

Small on purpose: it understands what staff say when booking ("tomorrow", "tmrw", "next
tuesday", "next tues", "thurs next week", "in 2 weeks", "a fortnight", "monday at two thirty",
"this afternoon", "fri pm", "9am", "half past two", "asap"), dates ("24 December", "24th dec",
"dec 24", "the 14th", "24/12" and "24/12/2026" day first as in the UK, "christmas day",
ISO dates, and the offered slots' own titles "Tue 8 Dec at 10:00") and nothing more. The
result is a window (earliest, latest) and a target the nearest slots are sorted by.

A date that does not exist ("31/02", "30th february"), a weekday that is not that date's
("wed 8 dec" when the 8th is a Tuesday) or a date with a year that has passed is not
understood (None: "I didn't catch the time"), never read as some other day. A date without a
year that has passed this year is next year's ("3rd march" said in December); "the 2nd"
said on the 3rd is next month's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from actions.calendar_words import (
    _DAY_MONTH,
    _MONTH_DAY,
    _NUMERIC,
    _ORDINAL,
    _WEEKDAY,
    MONTHS,
    WEEKDAYS,
    UnknownDate,
    _dated,
    _one,
    _this_or_next_month,
    said_as,
)

NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "forty five": 45,
    "forty-five": 45,
    "oh five": 5,
    "ten past": 10,
}
PARTS_OF_DAY = {
    "morning": (time(8, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(20, 0)),
}
SOONEST = (
    "asap",
    "as soon as possible",
    "soonest",
    "earliest",
    "any time",
    "anytime",
    "first available",
    "next available",
)
DEFAULT_HORIZON = timedelta(days=14)

_NUM = r"(\d{1,2}|" + "|".join(sorted(map(re.escape, NUMBERS), key=len, reverse=True)) + r")"
_CLOCK = re.compile(
    rf"\b(?:at\s+)?{_NUM}(?:[:.\s]+{_NUM})?\s*(a\.?m\.?|p\.?m\.?|o'?clock)?(?![\d-])"
)
_PAST = re.compile(rf"\b(half|quarter|{_NUM})\s+(past|to)\s+{_NUM}\b")
_HALF = re.compile(rf"\bhalf\s+{_NUM}\b")  # British "half nine" = 09:30
_IN = re.compile(rf"\bin\s+(a|{_NUM})\s+(day|week|fortnight)s?\b")
# without "in": "2 weeks", "a fortnight", "3 weeks' time", "5 days from now" ("2 days" alone
# is too often something else: "for 2 days")
_AHEAD = re.compile(
    rf"\b(a|{_NUM})\s+(?:(week|fortnight)s?\b(?:'?\s*time\b)?"
    rf"|(day)s?(?:'?\s+time|\s+from\s+(?:now|today))\b)"
)
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}
# "after 3pm", "not before 10", "before 11am": a bound of the day, not a time to be near
_BOUND = re.compile(
    r"\b(after|later\s+than|not\s+before|from|before|earlier\s+than|not\s+after)\s+(?:at\s+)?"
    r"(?=\d|noon\b|midday\b|half\b|quarter\b|(?:one|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve)\b)"
)
# "fri pm", "tomorrow am": a part of the day, not a clock time ("10 am")
_BARE_AM_PM = re.compile(r"(?<!\d)(?<!\d )\b([ap])\.?m\b\.?")


@dataclass(frozen=True)
class TimePreference:
    earliest: datetime  # timezone-aware, hospital time
    latest: datetime
    target: datetime  # slots nearest to this come first
    exact: bool = False  # a clock time was given

    def contains(self, moment: datetime) -> bool:
        return self.earliest <= moment < self.latest


def _num(token: str | None) -> int | None:
    if token is None:
        return None
    token = token.strip().lower()
    return int(token) if token.isdigit() else NUMBERS.get(token)


def _hour24(hour: int, suffix: str | None) -> int | None:
    if not 0 <= hour <= 23:
        return None
    suffix = (suffix or "").replace(".", "").lower()
    if suffix == "pm" and hour < 12:
        return hour + 12
    if suffix == "am" and hour == 12:
        return 0
    if not suffix.endswith("m") and 1 <= hour <= 7:
        return hour + 12  # "at two" in clinic hours means 14:00
    return hour


def _clock(text: str) -> time | None:
    if re.search(r"\b(noon|midday)\b", text):
        return time(12, 0)
    past = _PAST.search(text)
    if past:
        amount = {"half": 30, "quarter": 15}.get(past.group(1)) or _num(past.group(2))
        base = _num(past.group(4))
        hour = _hour24(base, None) if base is not None else None
        if amount is None or hour is None or amount >= 60:
            return None
        moment = datetime.combine(date.min, time(hour))
        shifted = moment + timedelta(minutes=amount if past.group(3) == "past" else -amount)
        return shifted.time()
    half = _HALF.search(text)
    if half and not re.search(r"\bhalf\s+(past|an?)\b", text):
        base = _num(half.group(1))
        hour = _hour24(base, None) if base is not None else None
        if hour is not None:
            return time(hour, 30)
    for match in _CLOCK.finditer(text):
        hour, minute, suffix = _num(match.group(1)), _num(match.group(2)), match.group(3)
        explicit = suffix or match.group(2) or match.group(0).lstrip().startswith("at")
        if hour is None or not explicit:
            continue
        hour24 = _hour24(hour, suffix)
        if hour24 is not None and 0 <= (minute or 0) < 60:
            return time(hour24, minute or 0)
    return None


def _day(text: str, today: date) -> tuple[date, date] | None:
    """Return [first, last] days named in ``text`` (lower case), or None (also for a date
    that is no day to book; ``_named_days`` tells those apart)."""
    try:
        return _named_days(said_as(text), today)
    except UnknownDate:
        return None


# after this hour a bare weekday that is today ("thursday" said on a Thursday afternoon)
# is next week's: the day's clinics are mostly over, and today is said "today"
LATE_HOUR = 12


def _named_days(text: str, today: date, late: bool = False) -> tuple[date, date] | None:
    """[first, last] days named in ``text`` (already ``said_as``), None when it names
    none; ``UnknownDate`` when it names one that is no day to book. ``late``: the day is
    past ``LATE_HOUR``."""
    iso = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if iso:
        iso_year, iso_month, iso_day = (int(g) for g in iso.groups())
        return _one(_dated(iso_day, iso_month, iso_year, today), text, today)
    ahead = _IN.search(text)
    later = None if ahead else _AHEAD.search(text)
    if ahead or later:
        found = ahead or later
        assert found is not None
        unit = found.group(3) if ahead else (found.group(3) or found.group(4))
        count = 1 if found.group(1) == "a" else _num(found.group(1))
        if count is not None and unit in _UNIT_DAYS:
            span = _UNIT_DAYS[unit]
            first = today + timedelta(days=count * span)
            return first, first + timedelta(days=min(span, 5) - 1)
    numeric = _NUMERIC.search(text)
    if numeric:
        day_n, month_n, year_n = numeric.groups()
        full_year = None if year_n is None else int(year_n) + (2000 if len(year_n) == 2 else 0)
        return _one(_dated(int(day_n), int(month_n), full_year, today), text, today)
    worded = _DAY_MONTH.search(text)
    month_first = None if worded else _MONTH_DAY.search(text)
    if worded or month_first:
        if worded:
            day_text, month_text, year_text = worded.groups()
        else:
            assert month_first is not None
            month_text, day_text, year_text = month_first.groups()
        month = next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(month_text[:3]))
        found_day = _dated(int(day_text), month, int(year_text) if year_text else None, today)
        return _one(found_day, text, today)
    ordinal = _ORDINAL.search(text)
    if ordinal:
        return _one(_this_or_next_month(int(ordinal.group(1)), today), text, today)
    if "day after tomorrow" in text:
        return today + timedelta(days=2), today + timedelta(days=2)
    if re.search(r"\btomorrow\b", text):
        return today + timedelta(days=1), today + timedelta(days=1)
    if re.search(r"\b(today|tonight)\b", text):
        return today, today
    weekday = _WEEKDAY.search(text)
    monday = today - timedelta(days=today.weekday())
    if weekday and re.search(r"\b(next|this)\s+week\b", text):
        # "thurs next week": that day of next week; "monday this week" gone by: none
        index = WEEKDAYS.index(weekday.group(2))
        week = monday + timedelta(days=7 if "next week" in text else 0)
        that_day = week + timedelta(days=index)
        if that_day < today:
            raise UnknownDate(text)
        return that_day, that_day
    if re.search(r"\bnext week\b", text):
        next_monday = monday + timedelta(days=7)
        return next_monday, next_monday + timedelta(days=4)
    if re.search(r"\bthis week\b", text):
        return today, today + timedelta(days=max(0, 4 - today.weekday()))
    if weekday:
        days_ahead = (WEEKDAYS.index(weekday.group(2)) - today.weekday()) % 7
        if days_ahead == 0 and (weekday.group(1) == "next" or (late and not weekday.group(1))):
            # "next thursday", or "thursday" said on a Thursday afternoon: next week's
            # ("this thursday" / "today" is today)
            days_ahead = 7
        ahead_day = today + timedelta(days=days_ahead)
        return ahead_day, ahead_day
    return None


def parse_time_preference(
    text: str | None, now: datetime, tz: str | ZoneInfo, *, horizon: timedelta = DEFAULT_HORIZON
) -> TimePreference | None:
    """Parse ``text`` relative to ``now``; None when no time expression was understood."""
    if not text:
        return None
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    local_now = now.astimezone(zone)
    clean = said_as(" ".join(text.lower().replace(",", " ").split()))
    if any(word in clean for word in SOONEST):
        return TimePreference(local_now, local_now + horizon, local_now)

    iso_dt = re.search(r"\b(\d{4}-\d{2}-\d{2})[t ](\d{2}:\d{2})", clean)
    if iso_dt:
        try:
            moment = datetime.fromisoformat(f"{iso_dt.group(1)}T{iso_dt.group(2)}")
        except ValueError:
            return None
        moment = moment.replace(tzinfo=zone)
        return _around(moment, local_now, exact=True)

    try:
        days = _named_days(clean, local_now.date(), late=local_now.hour >= LATE_HOUR)
    except UnknownDate:
        return None  # "31/02", "wed 8 dec" on a Tuesday: not some other day
    clock = _clock(clean)
    part = next((p for p in PARTS_OF_DAY if p in clean), None)
    bare = _BARE_AM_PM.search(clean) if part is None else None
    if bare is not None:
        part = "morning" if bare.group(1) == "a" else "afternoon"
    if days is None and clock is None and part is None:
        return None
    first, last = days or (local_now.date(), local_now.date())
    bound = _BOUND.search(clean) if clock is not None else None
    if bound is not None and clock is not None:
        return _bounded(first, last, clock, bound.group(1), local_now, days is None)
    if clock is not None:
        moment = datetime.combine(first, clock, zone)
        if days is None and moment < local_now:
            moment += timedelta(days=1)  # "9am" said in the afternoon means tomorrow
        return _around(moment, local_now, exact=True)
    if part is not None:
        start_t, end_t = PARTS_OF_DAY[part]
        start = datetime.combine(first, start_t, zone)
        end = datetime.combine(last, end_t, zone)
        if days is None and end <= local_now:
            start, end = start + timedelta(days=1), end + timedelta(days=1)
    else:
        start = datetime.combine(first, time(0, 0), zone)
        end = datetime.combine(last + timedelta(days=1), time(0, 0), zone)
    start = max(start, local_now)
    if end <= start:
        return None
    return TimePreference(start, end, start)


def _bounded(
    first: date, last: date, clock: time, word: str, now: datetime, no_day: bool
) -> TimePreference | None:
    """ "after 3pm" (on the days named): from then to the end of the day; "before 11am":
    from the start of the day to then. No clock time to be near: not exact."""
    zone = now.tzinfo
    after = not word.startswith(("before", "earlier")) and word != "not after"
    if after:
        start = datetime.combine(first, clock, zone)
        end = datetime.combine(last + timedelta(days=1), time(0, 0), zone)
    else:
        start = datetime.combine(first, time(0, 0), zone)
        end = datetime.combine(last, clock, zone)
    if no_day and datetime.combine(first, clock, zone) <= now:  # said at 6pm: tomorrow's
        start, end = start + timedelta(days=1), end + timedelta(days=1)
    start = max(start, now)
    if end <= start:
        return None
    return TimePreference(start, end, start)


def _around(moment: datetime, now: datetime, *, exact: bool) -> TimePreference | None:
    """A clock time: search that whole day, nearest to the time first."""
    if moment < now:
        return None
    day_start = datetime.combine(moment.date(), time(0, 0), moment.tzinfo)
    return TimePreference(
        earliest=max(day_start, now),
        latest=day_start + timedelta(days=1),
        target=moment,
        exact=exact,
    )


# words a time answer is made of ("tomorrow morning", "next tuesday at 2", "asap please")
_TIME_WORDS = frozenset(
    (
        "today tonight tomorrow day after next this coming week weeks days morning afternoon "
        "evening noon midday at on in the of a an around about before after by early late "
        "half quarter past to am pm a.m. p.m. o'clock oclock st nd rd th as soon possible "
        "soonest earliest any time anytime first available please pls then ok okay and or "
        "sometime maybe ideally preferably if can be asap"
    ).split()
    + list(WEEKDAYS)
    + list(MONTHS)
    + [m[:3] for m in MONTHS]
    + ["sept", "june", "july"]
    + [w for key in NUMBERS for w in key.replace("-", " ").split()]
)


def names_day(text: str | None, now: datetime, tz: str | ZoneInfo) -> bool:
    """The message names a day ("Tue 8 Dec at 10:00", "friday at 2"), not only a time of
    day ("10:00", "the afternoon")."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    clean = " ".join(str(text or "").lower().replace(",", " ").split())
    return _day(clean, now.astimezone(zone).date()) is not None


def says_only_time(text: str | None, now: datetime, tz: str | ZoneInfo) -> bool:
    """The message is a time preference and nothing else ("tomorrow morning", "friday at
    2"), so it answers a form's time whatever question was asked; "Jane Morning" is not."""
    if parse_time_preference(text, now, tz) is None:
        return False
    words = re.findall(r"[a-z.']+|\d+", said_as(" ".join(str(text).lower().split())))
    return all(w.isdigit() or w.strip(".") in _TIME_WORDS or w in _TIME_WORDS for w in words)
