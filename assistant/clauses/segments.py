"""Where a message could be cut into clauses, and every way of cutting it (no NLU here).

A cut is made only at a coordinator between two stretches of words: "and", "then",
"also", "plus" (with an optional comma before, and "and then" / "and also" as one),
a semicolon, or the end of a sentence ("?", "!", or "." after a word of two small
letters or digits, so initials such as "T.A." and "Dr." are no sentence end). Whether a
cut is taken is for ``assistant.clauses.splitter`` to decide, clause by clause.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

MAX_CUTS = 3  # a message with more places to cut is read whole (a long description)
MAX_LENGTH = 240  # characters; longer messages are read whole

_CUT = re.compile(
    r"""
    \s*;\s*                                            # a semicolon
    | (?<=[?!])\s+(?:and\s+(?:then\s+|also\s+)?|then\s+|also\s+)?
    | (?<=(?-i:[a-z0-9]{2})\.)\s+(?:and\s+(?:then\s+|also\s+)?|then\s+|also\s+)?
    | ,?\s+(?:and\s+then|and\s+also|and|then|also|plus)\s+   # a coordinator
    """,
    re.IGNORECASE | re.VERBOSE,
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Cut:
    """A place to cut: the text before it ends at ``start``, the text after begins at ``end``."""

    start: int
    end: int


def cuts(text: str) -> tuple[Cut, ...]:
    """The places ``text`` could be cut, in order; each leaves words on both sides."""
    found: list[Cut] = []
    for match in _CUT.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        if _WORD.search(before) and _WORD.search(after):
            if not found or match.start() >= found[-1].end:
                found.append(Cut(match.start(), match.end()))
    return tuple(found)


def clauses_at(text: str, chosen: tuple[Cut, ...]) -> tuple[str, ...]:
    """``text`` cut at ``chosen`` (in order), each clause stripped."""
    parts, begin = [], 0
    for cut in chosen:
        parts.append(text[begin : cut.start])
        begin = cut.end
    parts.append(text[begin:])
    return tuple(" ".join(p.split()).strip(" ,;") for p in parts)


_COMMA = re.compile(r"\s*,\s*")


def comma_clauses(text: str) -> tuple[str, ...]:
    """``text`` cut at every comma ("4B bed 2 needs cleaning, 7 bed 1 needs cleaning"),
    when it has a comma, no coordinator and at most ``MAX_CUTS`` commas; else nothing. A
    comma often only lists details ("porter to 4B bed 7, urgent"), so these clauses are
    taken only as requests of one kind, each naming its own subject (the splitter)."""
    if len(text) > MAX_LENGTH or text.lstrip().startswith("/") or cuts(text):
        return ()
    parts = [" ".join(p.split()) for p in _COMMA.split(text.strip(" ,"))]
    if not 2 <= len(parts) <= MAX_CUTS + 1 or not all(_WORD.search(p) for p in parts):
        return ()
    return tuple(parts)


def partitions(text: str) -> tuple[tuple[str, ...], ...]:
    """Every way of cutting ``text`` in two or more clauses, most clauses first; none for
    a message that is too long, starts with ``/`` (a button) or has too many places to cut."""
    if len(text) > MAX_LENGTH or text.lstrip().startswith("/"):
        return ()
    places = cuts(text)
    if not places or len(places) > MAX_CUTS:
        return ()
    ways = []
    for size in range(len(places), 0, -1):
        for chosen in itertools.combinations(places, size):
            ways.append(clauses_at(text, chosen))
    return tuple(ways)
