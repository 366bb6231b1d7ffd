"""Search parameter parsing shared by the resource routes (FHIR R4 search syntax subset)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_
from starlette.datastructures import QueryParams

from hms.errors import BadRequest
from hms.timeutil import to_storage

# Parameters understood for every resource type.
COMMON = frozenset({"_count", "_offset", "_sort", "_include", "_format", "_id", "_summary"})
MAX_COUNT = 1000
DEFAULT_COUNT = 50
_PREFIXES = ("eq", "ne", "ge", "le", "gt", "lt", "sa", "eb")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DIGITS = re.compile(r"[0-9]+")
# FHIR id: ASCII letters, digits, '-' and '.', 1-64 characters
ID_PATTERN = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# a reference in a search: ``id``, ``Type/id`` or an absolute ``http(s)://.../Type/id``
_REFERENCE = re.compile(
    r"(?:https?://[A-Za-z0-9\-.:\[\]]+(?:/[A-Za-z0-9_\-]+)*/)?"
    r"(?:(?P<kind>[A-Z][A-Za-z]{1,63})/)?(?P<ident>[A-Za-z0-9\-.]{1,64})"
)
# the separator of the denormalised ``search_text`` columns (name|alias|...)
SEARCH_TEXT_SEPARATOR = "|"


@dataclass(frozen=True)
class Token:
    system: str | None
    code: str


class SearchParams:
    """Query parameters of one search, with typed accessors that raise ``BadRequest``."""

    def __init__(self, query: QueryParams, allowed: Iterable[str], strict: bool = False) -> None:
        self._query = query
        known = COMMON | frozenset(allowed)
        self._known = known
        unknown = sorted({k for k in query if k not in known})
        if unknown and strict:
            raise BadRequest(f"unknown search parameter(s): {', '.join(unknown)}")

    def values(self, name: str) -> list[str]:
        """All values of ``name`` (repeats are AND); empty values are rejected.
        A parameter this search does not support has no values (it is ignored)."""
        if name not in self._known:
            return []
        found = self._query.getlist(name)
        for value in found:
            if value.strip() == "":
                raise BadRequest(f"empty value for search parameter {name!r}")
        return found

    def first(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None

    def count(self) -> int:
        """``_count`` (default 50); above ``MAX_COUNT`` the page is capped, not refused."""
        return min(self._int("_count", DEFAULT_COUNT, 10**9), MAX_COUNT)

    def offset(self) -> int:
        return self._int("_offset", 0, 10**9)

    def _int(self, name: str, default: int, maximum: int) -> int:
        raw = self.first(name)
        if raw is None:
            return default
        # isdecimal(), not isdigit(): exactly the strings int() reads ('\u00b2' is a digit)
        if not raw.isdecimal() or int(raw) > maximum:
            raise BadRequest(f"{name} must be an integer between 0 and {maximum}")
        return int(raw)

    def tokens(self, name: str) -> list[list[Token]]:
        """Each repeat of ``name`` as a list of OR-ed tokens (``system|code`` or ``code``)."""
        return [[parse_token(part) for part in raw.split(",")] for raw in self.values(name)]

    def references(self, name: str, resource_type: str) -> list[list[str]]:
        """Each repeat as OR-ed ids (``Type/id``, a bare id or an absolute URL)."""
        return [
            [parse_reference(part, resource_type, name) for part in raw.split(",")]
            for raw in self.values(name)
        ]

    def includes(self) -> set[str]:
        return set(self.values("_include"))


def parse_token(raw: str) -> Token:
    raw = raw.strip()
    if not raw:
        raise BadRequest("empty token in search parameter")
    if "|" in raw:
        system, _, code = raw.partition("|")
        if not code:
            raise BadRequest(f"token {raw!r} has no code")
        return Token(system or None, code)
    return Token(None, raw)


def parse_reference(raw: str, resource_type: str, name: str) -> str:
    """The id of ``id``, ``Type/id`` or ``http(s)://.../Type/id``; anything else is a 400."""
    raw = raw.strip()
    match = _REFERENCE.fullmatch(raw)
    if match is None or match.group("ident") in (".", ".."):
        raise BadRequest(f"malformed reference in {name}: {raw[:100]!r}")
    kind = match.group("kind")
    if kind is not None and kind != resource_type:
        raise BadRequest(f"{name} must reference a {resource_type}, not {kind}")
    return match.group("ident")


def parse_pk(ident: str, prefix: str) -> int | None:
    """``appt-12`` -> 12 for ``prefix='appt-'``; ``None`` unless ASCII digits follow it."""
    number = ident.removeprefix(prefix)
    if not ident.startswith(prefix) or not _DIGITS.fullmatch(number):
        return None
    return int(number)


def any_of(conditions: Sequence[ColumnElement[bool]]) -> ColumnElement[bool]:
    return conditions[0] if len(conditions) == 1 else or_(*conditions)


def token_filter(
    params: SearchParams, name: str, column: Any, system: str | None
) -> list[ColumnElement[bool]]:
    """AND of OR-ed token matches; a wrong system matches nothing (not an error)."""
    clauses = []
    for group in params.tokens(name):
        ors = [column == tok.code if tok.system in (None, system) else false() for tok in group]
        clauses.append(any_of(ors))
    return clauses


def reference_filter(
    params: SearchParams, name: str, column: Any, resource_type: str
) -> list[ColumnElement[bool]]:
    return [column.in_(ids) for ids in params.references(name, resource_type)]


def string_filter(params: SearchParams, name: str, column: Any) -> list[ColumnElement[bool]]:
    """Case-insensitive 'contains' on a lowercased search column (``:exact`` also accepted).

    Control characters are a 400 (a NUL would cut SQLite's LIKE pattern short); empty
    alternatives (``a,,b``) are ignored, all-empty is a 400; a value holding the
    ``search_text`` separator ``|`` matches nothing (no name contains it).
    """
    clauses = []
    for raw in params.values(name):
        if any(unicodedata.category(c) == "Cc" for c in raw):
            raise BadRequest(f"control characters are not allowed in {name!r}")
        parts = [v.strip().lower() for v in raw.split(",") if v.strip()]
        if not parts:
            raise BadRequest(f"empty value for search parameter {name!r}")
        clauses.append(
            any_of(
                [false() if SEARCH_TEXT_SEPARATOR in v else like_contains(column, v) for v in parts]
            )
        )
    return clauses


def like_contains(
    column: Any, text: str, *, prefix: str = "%", suffix: str = "%"
) -> ColumnElement[bool]:
    """``column LIKE prefix + text + suffix`` with ``text``'s wildcards escaped."""
    return column.like(f"{prefix}{escape_like(text)}{suffix}", escape="\\")


def escape_like(value: str) -> str:
    """Escape LIKE's wildcards (``%``, ``_``) and the escape character itself."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def date_filter(
    params: SearchParams, name: str, column: Any, tz: ZoneInfo
) -> list[ColumnElement[bool]]:
    """FHIR date search with prefixes eq/ne/ge/le/gt/lt on a naive-UTC column."""
    return [_date_clause(raw, column, tz, name) for raw in params.values(name)]


def _date_clause(raw: str, column: Any, tz: ZoneInfo, name: str) -> ColumnElement[bool]:
    prefix, value = "eq", raw.strip()
    if value[:2] in _PREFIXES and not value[:2].isdigit():
        prefix, value = value[:2], value[2:]
    low, high = parse_date_range(value, tz, name)
    if prefix == "eq":
        return and_(column >= low, column < high) if high > low else column == low
    if prefix == "ne":
        return or_(column < low, column >= high) if high > low else column != low
    if prefix == "ge":
        return column >= low
    if prefix in ("gt", "sa"):
        return column >= high if high > low else column > low
    if prefix in ("lt", "eb"):
        return column < low
    return column < high if high > low else column <= low  # le


def parse_date_range(value: str, tz: ZoneInfo, name: str) -> tuple[datetime, datetime]:
    """A FHIR date/dateTime -> [low, high) in naive UTC (low == high for full instants)."""
    try:
        if _DATE_RE.match(value):
            parts = [int(p) for p in value.split("-")]
            if len(parts) == 1:
                start, end = date(parts[0], 1, 1), date(parts[0] + 1, 1, 1)
            elif len(parts) == 2:
                start = date(parts[0], parts[1], 1)
                end = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            else:
                start = date(parts[0], parts[1], parts[2])
                end = start + timedelta(days=1)
            return (
                to_storage(datetime.combine(start, datetime.min.time()), tz),
                to_storage(datetime.combine(end, datetime.min.time()), tz),
            )
        moment = to_storage(datetime.fromisoformat(value.replace("Z", "+00:00")), tz)
        return moment, moment
    except (ValueError, OverflowError) as exc:  # e.g. 9999-12-31 in a zone east of UTC
        raise BadRequest(f"malformed date in {name}: {value!r}") from exc


def sort_keys(params: SearchParams, allowed: dict[str, Any]) -> list[Any]:
    """``_sort=a,-b`` -> ORDER BY expressions; unknown keys are a 400."""
    raw = params.first("_sort")
    if raw is None:
        return []
    keys = []
    for part in raw.split(","):
        desc = part.startswith("-")
        key = part.lstrip("-")
        if key not in allowed:
            raise BadRequest(f"cannot sort by {key!r}; supported: {', '.join(sorted(allowed))}")
        keys.append(allowed[key].desc() if desc else allowed[key].asc())
    return keys
