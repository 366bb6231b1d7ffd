"""A patient's name typed in lower case right beside their MRN ("need an appt for arjun
johnson 10002695 in derm"): NLU tags names mostly by their capitals, so the words between
the last word of the request before it ("for", "book", "appt", a comma) and the MRN are
read as the name when they look like one (two to four words)."""

from __future__ import annotations

import re
from typing import Any

from actions.calendar_words import MONTHS, WEEKDAYS, said_as
from actions.formats import MrnFormat
from actions.state import Turn, blanked
from actions.timeparse import _TIME_WORDS

# words of a request that are never part of a name
_NOT_NAME = frozenset(
    "a an the i me my we you need want book booking appt appointment slot please pls for in "
    "into on at to with and or clinic department mrn patient pt new move cancel can could "
    "get make him her his them their it its is are no yes not please derm cardiology ent "
    "what which when does do did has have had appts appointments any show list tell see "
    "check got booked upcoming".split()
)


def name_before_mrn(text: str | None, mrn: MrnFormat) -> str | None:
    """The name typed just before the MRN ("for arjun johnson 10002695" -> "Arjun
    Johnson"), or None."""
    if not text:
        return None
    for found in re.finditer(r"\d[\d\s-]*\d", text):
        if mrn.find(found.group()) is None:
            continue
        before = re.sub(r"\bmrn\b[\s:]*$", "", text[: found.start()], flags=re.I).rstrip()
        words: list[str] = []
        for word in reversed(re.split(r"\s+", before)):
            low = word.lower()
            if not re.fullmatch(r"[a-z][a-z'-]*", word, re.I) or low in _NOT_NAME:
                break  # "for", "appt", "derm,": the name starts after it
            if low in _TIME_WORDS or low in WEEKDAYS or low in MONTHS or said_as(low) != low:
                break  # "tomorrow", "fri": a time
            words.insert(0, word)
        if 2 <= len(words) <= 4:
            return " ".join(w[:1].upper() + w[1:] for w in words)
    return None


def lower_case_name(
    turn: Turn, had: Any, mrn: MrnFormat, *, request: bool = False
) -> dict[str, str]:
    """{"patient_name": the name typed before the MRN} when NLU tagged none and the task
    has none yet; the words NLU tagged as something else (a clinic, a time) are no name.
    In the request itself (``request``) a name with no MRN beside it counts too ("book
    emily lloyd into dermatology": the name was asked for again)."""
    if had not in (None, "") or turn.is_payload or turn.values("patient_name"):
        return {}
    others = [e for e in {str(e.get("entity")) for e in turn.entities} if e != "mrn"]
    text = blanked(turn.text, turn.spans(*others)) if others else turn.text
    name = name_before_mrn(text, mrn) or (name_in_request(text) if request else None)
    return {"patient_name": name} if name else {}


# a request's words that are never a patient's name either ("book a follow up for ...")
_NOT_IN_REQUEST = _NOT_NAME | frozenset(
    "follow up review check checkup scan urgent routine soon soonest asap possible earliest "
    "next first same day week morning afternoon evening slot slots time doctor dr nurse "
    "someone somebody everyone this that these those one mr mrs ms miss mx".split()
)
# "book emily lloyd into ...", "appt for emily lloyd", "cancel emily lloyd's appointment":
# two or three words after the request's verb or "for", up to a request word or the end
_NAMED_IN_REQUEST = re.compile(
    r"\b(?:for|book|booking|cancel|cancelling|move|moving|reschedule|rebook)\s+"
    r"([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){1,2}?)"
    r"(?='s\b|\s+(?:into|in|to|for|on|at|with|next|this|tomorrow|today|please|pls|appt|"
    r"appointment|asap)\b|\s*[,.?!]|\s*$)",
    re.I,
)


def name_in_request(text: str | None) -> str | None:
    """A patient's name typed in lower case in a request without their MRN ("book emily
    lloyd into dermatology", "need an appt for emily lloyd"), or None."""
    for match in _NAMED_IN_REQUEST.finditer(text or ""):
        words = match.group(1).split()
        low = [w.lower().removesuffix("'s") for w in words]
        if any(
            w in _NOT_IN_REQUEST
            or w in _TIME_WORDS
            or w in WEEKDAYS
            or w in MONTHS
            or said_as(w) != w
            for w in low
        ):
            continue
        return " ".join(w[:1].upper() + w[1:] for w in low)
    return None


# "what appts does emily lloyd have", "appointments for emily lloyd": the words after
# "does" / "for" / "of" up to "have", "got", "booked", the end or an MRN
_ASKED_ABOUT = re.compile(
    r"\b(?:does|do|has|for|of)\s+([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){1,3}?)\s*"
    r"(?:'s\b|\b(?:have|got|booked|has|coming|next|this|today|tomorrow|please|pls)\b|[?.!]|\d|$)",
    re.I,
)


def name_asked_about(text: str | None, mrn: MrnFormat) -> str | None:
    """A patient's name typed in lower case in a question about them ("what appts does
    emily lloyd have", "... emily lloyd 10176509 have"), or None."""
    found = name_before_mrn(text, mrn)
    if found or not text:
        return found
    for match in _ASKED_ABOUT.finditer(text):
        words = match.group(1).split()
        low = [w.lower() for w in words]
        if any(w in _NOT_NAME or w in _TIME_WORDS or w in WEEKDAYS or w in MONTHS for w in low):
            continue
        return " ".join(w[:1].upper() + w[1:] for w in words)
    return None
