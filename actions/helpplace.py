"""A help request for a place that is no ward: "the printer in pharmacy", "IT for the lab",
"the lift by main reception". The HMS files a help request at a ward or a bed; a place of
the hospital that is neither (pharmacy, a lab, clinics, a corridor) is kept as said: the
request goes in with no ward, its description opening with the place ("[pharmacy] ...")
so whoever takes it knows where to go. Only words that name a place count, so "printer
jammed" answering "Which ward?" is still no place.
"""

from __future__ import annotations

import re

PREFIX = "place:"  # the ward slot's value for a place that is no ward
# a place of the hospital that is not a ward (data: extend here)
_PLACE = re.compile(
    r"\b(?:pharmacy|dispensary|lab|labs|laboratory|laboratories|pathology|haematology\s+lab|"
    r"blood\s+bank|radiology|x-?ray|imaging|mri|ct\s+scanner|theatres?|recovery|"
    r"out-?patients?|clinics?|reception|main\s+entrance|entrance|foyer|corridor|"
    r"canteen|restaurant|cafe|kitchen|car\s+park|office|offices|stores|lifts?|stairs|"
    r"stairwell|toilets|physio(?:therapy)?|medical\s+records|records|mortuary|chapel|"
    r"discharge\s+lounge|switchboard|library|education\s+centre|training\s+room|"
    r"seminar\s+room|staff\s+room|on-?call\s+room)\b",
    re.I,
)
_MAX_WORDS = 6
_AT_PLACE = re.compile(
    rf"\b(?:in|at|by|near|outside)\s+(?:the\s+)?((?:{_PLACE.pattern[2:-2]}))\b",
    re.I,
)
_LEAD = re.compile(r"^\W*(?:(?:it'?s|its|in|at|on|the|by|near|to|for|down|up)\s+)*", re.I)


def place_said(said: str) -> str | None:
    """The place in ``said`` when it names a hospital place that is no ward ("in the
    pharmacy" -> "pharmacy", "main reception desk" kept whole); None otherwise."""
    text = " ".join((said or "").split())
    if not text or len(text.split()) > _MAX_WORDS or not _PLACE.search(text):
        return None
    return _LEAD.sub("", text).strip(" .,!?") or None


def place_in(text: str) -> str | None:
    """The place a sentence puts a job at ("the label printer in the lab is broken" ->
    "lab", "spill by the main entrance" -> "main entrance"); None when it names none."""
    found = _AT_PLACE.search(" ".join((text or "").split()))
    return found.group(1) if found else None


def as_slot(place: str) -> str:
    return f"{PREFIX}{place}"


def from_slot(value: str | None) -> str | None:
    """The place kept in the ward slot, or None when it holds a ward."""
    if isinstance(value, str) and value.startswith(PREFIX):
        return value[len(PREFIX) :] or None
    return None


def described_at(place: str, description: str) -> str:
    """The description opening with the place, once ("[pharmacy] printer jammed")."""
    if description.lower().startswith(f"[{place.lower()}]"):
        return description
    return f"[{place}] {description}".strip()


# "IT for the ward printer", "need IT, ward printer jammed": a thing of the ward one works
# on, never a ward called 'printer' (it was "I don't know ward 'printer'")
_WARD_THING = re.compile(
    r"\bward(?:'s)?\s+(?:printers?|printing|phones?|telephones?|computers?|pcs?|laptops?|"
    r"tablets?|screens?|monitors?|keyboards?|mouse|scanners?|fax|wifi|wi-fi|network|email|"
    r"system|tv|telly|fridges?|freezers?|kitchen|toilets?|bathrooms?|showers?|sinks?|taps?|"
    r"doors?|lights?|windows?|heating|radiators?|sluice|office|desk|station|bins?|floor|"
    r"clock|call\s+bells?|bells?|locks?|linen|commodes?|trolleys?|wheelchairs?)\b",
    re.I,
)


def a_ward_thing(text: str) -> bool:
    """ "the ward printer", "ward phone": the ward is the one the user is on, the next
    word the thing that needs help."""
    return bool(_WARD_THING.search(text or ""))


# "the tap in bay 2", "side room 3", "cubicle 4": a part of a ward, so of the user's ward
_IN_A_BAY = re.compile(r"\b(?:bay|side[\s-]*room|cubicle)\s*(?:\d{1,2}|[a-f])\b", re.I)


def in_a_bay(text: str) -> bool:
    """ "fix the tap in bay 2": a place on a ward the message names without the ward."""
    return bool(_IN_A_BAY.search(text or ""))
