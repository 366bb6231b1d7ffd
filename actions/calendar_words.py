"""Calendar words: day and month names as staff type them, and dates ("24th dec",
"24/12", "the 14th") as the day they name; see ``actions.timeparse``."""

from __future__ import annotations

import re
from datetime import date

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
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
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_YEAR = r"(?:\s+(\d{4}))?"
_NOT_CLOCK = r"(?!\s*(?:[:.]\d|a\.?m\b|p\.?m\b|o'?clock))"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}{_YEAR}")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b{_NOT_CLOCK}{_YEAR}")
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")  # UK: day first
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")  # "the 14th": this month or next
_WEEKDAY = re.compile(r"\b(?:(next|this|coming)\s+)?(" + "|".join(WEEKDAYS) + r")\b")
# spellings and abbreviations staff type, as the words the parser reads
_SAID_AS = (
    (r"\b(?:tmrw|tmrow|tmr|tmoz|tomoz|2moro|2morrow|tomm?orr?ow)\b", "tomorrow"),
    (r"\bmon\b\.?", "monday"),
    (r"\btues?\b\.?", "tuesday"),
    (r"\bweds?\b\.?", "wednesday"),
    (r"\bthu(?:rs?)?\b\.?", "thursday"),
    (r"\bfri\b\.?", "friday"),
    # "sat"/"sun" are words too: only as a day ("on sat", "next sun", "Sat 5 Dec")
    (r"\b(on|next|this|by|from|until|till)\s+sat\b\.?", r"\1 saturday"),
    (r"\b(on|next|this|by|from|until|till)\s+sun\b\.?", r"\1 sunday"),
    (r"\bsat\b\.?(?=\s+\d)", "saturday"),
    (r"\bsun\b\.?(?=\s+\d)", "sunday"),
    (r"\bchristmas\s+eve\b", "24 december"),
    (r"\b(?:christmas|xmas)(?:\s+day)?\b", "25 december"),
    (r"\bboxing\s+day\b", "26 december"),
    (r"\bnew\s+year'?s?\s+eve\b", "31 december"),
    (r"\bnew\s+year'?s?(?:\s+day)?\b", "1 january"),
)


class UnknownDate(ValueError):
    """A date was named but is no day to book: "31/02", a past year, "wed 8 dec" on a
    Tuesday."""


def said_as(text: str) -> str:
    """``text`` (lower case) with the abbreviations and spellings staff type as full words
    ("next tues" -> "next tuesday", "tmrw" -> "tomorrow", "christmas day" -> "25 december")."""
    for pattern, words in _SAID_AS:
        text = re.sub(pattern, words, text)
    return text


def _one(day: date, text: str, today: date) -> tuple[date, date]:
    """A date said, checked against a weekday said with it ("Tue 8 Dec")."""
    weekday = _WEEKDAY.search(text)
    if weekday and WEEKDAYS.index(weekday.group(2)) != day.weekday():
        raise UnknownDate(text)
    return day, day


def _dated(day: int, month: int, year: int | None, today: date) -> date:
    """That date; without a year this year's, or next year's once it has passed."""
    try:
        found = date(year or today.year, month, day)
        if year is None and found < today:
            found = date(today.year + 1, month, day)
    except ValueError as error:
        raise UnknownDate(f"{day}/{month}") from error
    if found < today:
        raise UnknownDate(found.isoformat())  # a year said that has passed
    return found


def _this_or_next_month(day: int, today: date) -> date:
    """ "the 14th": this month's, or the next month's that has one once it has passed."""
    if not 1 <= day <= 31:
        raise UnknownDate(str(day))
    for shift in range(13):
        year, index = divmod(today.month - 1 + shift, 12)
        try:
            found = date(today.year + year, index + 1, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise UnknownDate(str(day))
