"""Picking one of the offered records by its place in the list: "2nd", "the third one",
"last". An ordinal that is part of a date ("3rd Dec", "dec 2nd") or of "first available" is
that time, not a pick. Otherwise ("2nd", "the 2nd", "the second one", "move the first one to
next week") while choices are offered it is always a pick, never the 2nd of the month."""

from __future__ import annotations

import re

from actions.calendar_words import _DAY_MONTH, _MONTH_DAY, said_as
from actions.formats import ordinal_choice
from actions.timeparse import SOONEST

_LAST_WHEN = re.compile(r"\blast\s+(?:week|time|month|year|visit)\b")  # a when, not a pick


def ordinal_pick(text: str | None, count: int) -> int | None:
    """The 0-based index of the offered choice ``text`` picks by its place, or None (no
    ordinal, one past the choices, or an ordinal that is part of a time preference)."""
    index = ordinal_choice(text, count)
    if index is None:
        return None
    low = said_as(" ".join(str(text).lower().replace(",", " ").split()))
    if _DAY_MONTH.search(low) or _MONTH_DAY.search(low):
        return None
    if any(word in low for word in SOONEST) or _LAST_WHEN.search(low):
        return None
    return index
