"""Picking one of the offered records by its place in the list: "2nd", "the third one",
"last". An ordinal that is part of a date ("3rd Dec", "dec 2nd") or of "first available" is
that time, not a pick. Otherwise ("2nd", "the 2nd", "the second one", "move the first one to
next week") while choices are offered it is always a pick, never the 2nd of the month.

"yes", "ok", "that one", "fine" to an offer of exactly one choice takes it (there is
nothing else it could mean); to several it picks none."""

from __future__ import annotations

import re

from actions.calendar_words import _DAY_MONTH, _MONTH_DAY, said_as
from actions.formats import ordinal_choice
from actions.timeparse import SOONEST

# a yes to the offer as a whole: "yes", "ok please", "that one", "fine", "that'll do"
_TAKES_IT = re.compile(
    r"^\W*(?:yes+|yeah|yea|yep|yup|aye|sure|ok(?:ay)?|fine|great|perfect|lovely|please|"
    r"go\s+(?:on|ahead|for\s+it)|(?:that|this|it)(?:'?s|\s+is)?\s+(?:one|fine|ok(?:ay)?|good|great|"
    r"perfect)|that\s+(?:one|works|will\s+do|'?ll\s+do)|(?:book|take)\s+(?:it|that|that\s+one)|"
    r"do\s+it|sounds\s+good)\b(?:[\s,.!]*(?:please|pls|thanks|thank\s+you|ta|then|yes|ok|"
    r"that\s+one|fine|great))*[\s,.!]*$",
    re.I,
)
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


def takes_the_one(text: str | None, intent: str | None) -> bool:
    """A typed yes to an offer as a whole ("yes", "ok", "that one", "fine"), naming no
    choice: it takes the offer when it is of exactly one choice."""
    said = str(text or "")
    if said.lstrip().startswith("/") or re.search(r"\d", said):
        return False
    return bool(_TAKES_IT.match(said)) or (intent == "affirm" and len(said.split()) <= 3)
