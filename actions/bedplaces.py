"""Every bed one bed change names, each with its own ward (no NLU here).

"close HDU bed 12 and CCU bed 10" names two beds; NLU tags both wards and both beds, but
slots keep one of each, so the change would fall on CCU bed 12, a bed nobody named. Here
the message is read for its beds in order ("bed 12", "beds 3, 4 and 5", "4B-03"), and each
bed takes the ward said in its own stretch of the message (cut at "and", commas, "plus",
"then"); a list of beds ("beds 3, 4 and 5 on 4B") shares the ward said with it; a bed
with no ward of its own takes the message's one ward, or none when it names several (the
caller then asks rather than guesses, as it does when a ward is said for no bed: "bed 12
and bed 10 on HDU and CCU"). A status said in a bed's own stretch ("mark bed 5
clean and bed 6 dirty") is that bed's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from actions.formats import small_number

_N = r"\d{1,3}(?![\w-])"
# "bed 12", "beds 3, 4 and 5", "bed 3 and 4" (a number followed by "bed" or "-" starts
# another place: "bed 3 and 7 bed 2")
_BEDS = re.compile(
    rf"\bbeds?\s+(?:number\s+|no\.?\s+)?(?P<head>{_N})"
    rf"(?P<tail>(?:\s*(?:,|&|\band\b|\bor\b)\s*(?:bed\s+)?{_N}(?!\s*(?:bed\b|-)))*)",
    re.IGNORECASE,
)
_MORE = re.compile(rf"({_N})")
# "4B-03", "ICU-3", "7-04": a ward and a bed in one
_BED_ID = re.compile(r"\b(\d{1,2}[a-z]|[a-z]{2,4}|\d{1,2})\s*-\s*(\d{1,3})\b", re.IGNORECASE)
_STRETCH = re.compile(r"\s*(?:[,;&]|\band\b|\bplus\b|\bthen\b|\balso\b)\s*", re.IGNORECASE)
_NOT_A_WARD = {"BED", "BAY", "NO"}


@dataclass(frozen=True)
class Place:
    """One bed named: its number, the ward said for it (None when it cannot be told) and
    the status said in its own stretch of the message (None: the message's)."""

    bed: str
    ward: str | None
    status_text: str | None = None
    at: int = 0


def _stretches(text: str) -> list[tuple[int, int]]:
    bounds, begin = [], 0
    for cut in _STRETCH.finditer(text):
        bounds.append((begin, cut.start()))
        begin = cut.end()
    bounds.append((begin, len(text)))
    return bounds


def _stretch_of(bounds: list[tuple[int, int]], at: int) -> int:
    return next((i for i, (a, b) in enumerate(bounds) if a <= at < b or at < a), len(bounds) - 1)


def places_said(text: str, wards: Iterable[tuple[str, int]]) -> list[Place]:
    """The beds ``text`` names, in order, each with its ward. ``wards`` are the wards
    tagged in the message (value, offset)."""
    said = [(w, at) for w, at in wards if w and w.upper() not in _NOT_A_WARD]
    bounds = _stretches(text)
    found: list[Place] = []
    taken: list[tuple[int, int]] = []
    for match in _BED_ID.finditer(text):
        if match.group(1).upper() in _NOT_A_WARD:
            continue
        number = str(int(match.group(2)))
        status = _own_status(text, bounds, match.start())
        found.append(Place(number, match.group(1).upper(), status, match.start()))
        taken.append(match.span())
    own_ids = [(w, at) for w, at in said if not any(a <= at < b for a, b in taken)]
    ids = [p.ward for p in found if p.ward]
    distinct = {w.casefold() for w, _ in own_ids} | {w.casefold() for w in ids}
    for match in _BEDS.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        numbers = [(match.group("head"), match.start("head"))]
        numbers += [
            (m.group(1), match.start("tail") + m.start(1))
            for m in _MORE.finditer(match.group("tail") or "")
        ]
        first = _stretch_of(bounds, match.start())
        last = _stretch_of(bounds, numbers[-1][1])
        near = {w.casefold(): w for w, at in own_ids if first <= _stretch_of(bounds, at) <= last}
        ward: str | None = None
        if len(near) == 1:
            ward = next(iter(near.values()))
        elif not near and len(distinct) == 1:
            ward = next(w for w, _ in own_ids) if own_ids else ids[0]
        for value, at in numbers:
            count = small_number(value)
            if count is not None:
                found.append(Place(str(count), ward, _own_status(text, bounds, at), at))
    used = {p.ward.casefold() for p in found if p.ward}
    if distinct - used:  # a ward said for no bed: which bed is on it cannot be told
        found = [replace(p, ward=None) for p in found]
    return sorted(found, key=lambda p: p.at)


def _own_status(text: str, bounds: list[tuple[int, int]], at: int) -> str | None:
    from actions.beds import bed_status_code

    a, b = bounds[_stretch_of(bounds, at)]
    stretch = text[a:b]
    return stretch if bed_status_code(stretch) is not None else None
