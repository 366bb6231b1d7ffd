"""Reading one value of a legacy export: dates, times, genders, bed statuses and features.

Each function returns the HMS value or raises ``RowError`` with a reason that names the
column but never repeats a patient's data.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hms.fhir import BED_STATUS, FEATURES, ROLES
from hms.importer.records import RowError
from hms.timeutil import to_storage

GENDERS = {
    "m": "male",
    "male": "male",
    "f": "female",
    "female": "female",
    "o": "other",
    "other": "other",
    "u": "unknown",
    "unknown": "unknown",
    "x": "other",
}
STATUS_WORDS = {
    "free": "U",
    "unoccupied": "U",
    "occupied": "O",
    "housekeeping": "H",
    "dirty": "H",
    "closed": "C",
    "contaminated": "K",
    "isolated": "I",
}
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,31}$")


def required(value: str | None, column: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RowError(f"{column} is empty")
    return text


def optional(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def a_date(value: str | None, column: str) -> date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (day first, as UK exports write it)."""
    text = required(value, column)
    try:
        match = _DAY_FIRST.match(text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column} is not a date (YYYY-MM-DD or DD/MM/YYYY)") from None


def a_birth_date(value: str | None, column: str, today: date) -> date:
    born = a_date(value, column)
    if born > today or born.year < 1880:
        raise RowError(f"{column} is not a plausible birth date")
    return born


def a_time(value: str | None, column: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 (``2026-03-02T09:30``, offset optional) or ``DD/MM/YYYY HH:MM``;
    naive times are hospital time. Returns naive UTC (the storage form)."""
    text = required(value, column)
    try:
        day, _, clock = text.replace("T", " ").partition(" ")
        if _DAY_FIRST.match(day):
            moment = datetime.combine(a_date(day, column), datetime.strptime(clock, "%H:%M").time())
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, RowError):
        raise RowError(f"{column} is not a date and time (YYYY-MM-DD HH:MM)") from None
    return to_storage(moment, tz)


def a_gender(value: str | None, column: str) -> str:
    text = (value or "").strip().lower()
    if not text:
        return "unknown"
    if text not in GENDERS:
        raise RowError(f"{column} must be male, female, other or unknown")
    return GENDERS[text]


def a_status(value: str | None, column: str) -> str:
    text = (value or "").strip()
    if not text:
        return "U"
    code = text.upper() if text.upper() in BED_STATUS else STATUS_WORDS.get(text.lower())
    if code is None:
        raise RowError(f"{column} must be one of {', '.join(BED_STATUS)}")
    return code


def features(value: str | None, column: str) -> tuple[str, ...]:
    found = []
    for part in split(value):
        code = part.lower().replace(" ", "-")
        if code not in FEATURES:
            raise RowError(f"{column}: unknown bed feature {part[:20]!r}")
        found.append(code)
    return tuple(dict.fromkeys(found))


def roles(value: str | None, column: str) -> tuple[str, ...]:
    found = []
    for part in split(value):
        code = part.lower().replace(" ", "_")
        if code not in ROLES:
            raise RowError(f"{column}: unknown role {part[:20]!r}")
        found.append(code)
    if not found:
        raise RowError(f"{column} is empty")
    return tuple(dict.fromkeys(found))


def split(value: str | None) -> list[str]:
    """A list cell: values separated by ``;`` (or ``|``)."""
    return [p.strip() for p in re.split(r"[;|]", value or "") if p.strip()]


def username(value: str | None, column: str) -> str:
    text = required(value, column)
    if not _USERNAME.match(text):
        raise RowError(f"{column} has characters a username cannot hold")
    return text


def email(value: str | None, column: str) -> str:
    text = required(value, column)
    if not _EMAIL.match(text) or len(text) > 128:
        raise RowError(f"{column} is not an email address")
    return text.lower()


def code(value: str | None, column: str) -> str:
    text = required(value, column)
    if not _CODE.match(text):
        raise RowError(f"{column} must be letters, digits and '-' (at most 32)")
    return text.upper()


def fhir_id(prefix: str, value: str) -> str:
    """A FHIR id (``[A-Za-z0-9\\-.]{1,64}``) from a prefix and a code or username."""
    return (prefix + re.sub(r"[^A-Za-z0-9\-]+", "-", value.lower())).strip("-")[:64]
