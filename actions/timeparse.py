"""Turn a spoken or typed time preference into a search window in the hospital time zone.

Small on purpose: it understands what staff say when booking ("tomorrow", "next tuesday",
"in 2 weeks", "a fortnight",
"monday at two thirty", "this afternoon", "9am", "half past two", ISO dates) and nothing
more. The result is a window (earliest, latest) and a target the nearest slots are sorted by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
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
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = r"(" + "|".join(m[:3] + r"[a-z]*" for m in MONTHS) + r")"
_ORDINAL = re.compile(
    rf"\b(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)(?:\s+(?:of\s+)?{_MONTH})?\b"
    rf"|\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"
)


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
    """Return [first, last] days named in ``text``, or None."""
    iso = re.search(r"\b(\d{4}-\d{2}-\d{2})\b", text)
    if iso:
        try:
            day = date.fromisoformat(iso.group(1))
        except ValueError:
            return None
        return day, day
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
    ordinal = _ORDINAL.search(text)
    if ordinal:
        day_text = ordinal.group(1) or ordinal.group(4)
        month_text = ordinal.group(2) or ordinal.group(3)
        return _calendar_day(int(day_text), month_text, today)
    if "day after tomorrow" in text:
        return today + timedelta(days=2), today + timedelta(days=2)
    if re.search(r"\btomorrow\b", text):
        return today + timedelta(days=1), today + timedelta(days=1)
    if re.search(r"\b(today|tonight)\b", text):
        return today, today
    if re.search(r"\bnext week\b", text):
        monday = today + timedelta(days=7 - today.weekday())
        return monday, monday + timedelta(days=4)
    if re.search(r"\bthis week\b", text):
        return today, today + timedelta(days=max(0, 4 - today.weekday()))
    for index, name in enumerate(WEEKDAYS):
        weekday = re.search(rf"\b(next\s+|this\s+)?{name}\b", text)
        if weekday:
            days_ahead = (index - today.weekday()) % 7
            if weekday.group(1) and weekday.group(1).startswith("next") and days_ahead == 0:
                days_ahead = 7
            day = today + timedelta(days=days_ahead)
            return day, day
    return None


def _calendar_day(day: int, month_text: str | None, today: date) -> tuple[date, date] | None:
    """ "the 12th" (this month, or next if past) or "3rd march" (this year, or next)."""
    month = today.month
    if month_text:
        month = next(i + 1 for i, m in enumerate(MONTHS) if m.startswith(month_text[:3]))
    for shift in range(13):
        year, index = divmod(month - 1 + (0 if month_text else shift), 12)
        try:
            found = date(today.year + year + (shift if month_text else 0), index + 1, day)
        except ValueError:
            if month_text:
                return None
            continue
        if found >= today:
            return found, found
    return None


def parse_time_preference(
    text: str | None, now: datetime, tz: str | ZoneInfo, *, horizon: timedelta = DEFAULT_HORIZON
) -> TimePreference | None:
    """Parse ``text`` relative to ``now``; None when no time expression was understood."""
    if not text:
        return None
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    local_now = now.astimezone(zone)
    clean = " ".join(text.lower().replace(",", " ").split())
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

    days = _day(clean, local_now.date())
    clock = _clock(clean)
    part = next((p for p in PARTS_OF_DAY if p in clean), None)
    if days is None and clock is None and part is None:
        return None
    first, last = days or (local_now.date(), local_now.date())
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
    + [w for key in NUMBERS for w in key.replace("-", " ").split()]
)


def says_only_time(text: str | None, now: datetime, tz: str | ZoneInfo) -> bool:
    """The message is a time preference and nothing else ("tomorrow morning", "friday at
    2"), so it answers a form's time whatever question was asked; "Jane Morning" is not."""
    if parse_time_preference(text, now, tz) is None:
        return False
    words = re.findall(r"[a-z.']+|\d+", str(text).lower())
    return all(w.isdigit() or w.strip(".") in _TIME_WORDS or w in _TIME_WORDS for w in words)
