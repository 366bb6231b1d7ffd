"""How NLU reads a clause on its own (``Reading``), and the port that tells it
(``ClauseReader``; over Rasa's HTTP API: ``assistant.clauses.rasa_api``). Only intent
names, confidences, entity *types*, the shape of the clause and the wards it names are
kept, never other entity values (PHI)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

FALLBACK_INTENT = "nlu_fallback"
BED_THINGS = ("bed", "bed_type")  # what a ward said elsewhere in the message may place

# a clause that asks: "is bed 9 free?", "which beds need cleaning on 4B", "any side rooms"
_QUESTION = re.compile(
    r"\?\s*$|^\W*(?:is|are|any|anything|which|what|what's|whats|who|who's|whos|where|"
    r"where's|how|does|do|has|have)\b",
    re.I,
)
# words before the thing a request opens with ("get a porter to ...", "please, housekeeping")
_LEAD = re.compile(r"^\W*(?:(?:please|get|send|need|i\s+need|a|an|the|some|can\s+i\s+have)\b\W*)*")


@dataclass(frozen=True)
class Reading:
    """What NLU made of one clause: its intent (``None`` when not understood), how sure
    it is, and the types of the entities it found; with the other intents in NLU's
    ranking (best first), the entity type the clause opens with ("porter to 4B bed 2":
    ``help_type``), whether it is a question, the wards it names as said (a ward is no
    patient data), where the last bed or bed type it names ends, and the beds it names."""

    intent: str | None
    confidence: float
    entities: frozenset[str]
    ranking: tuple[tuple[str, float], ...] = ()
    opens_with: str | None = None
    question: bool = False
    wards: tuple[str, ...] = ()
    bed_end: int | None = None  # where the last bed or bed type it names ends
    beds: tuple[str, ...] = ()  # the beds it names, as said (a bed is no patient data)


def reading_of(parse: Any) -> Reading | None:
    """Rasa's parse result (``/model/parse``) -> a ``Reading``; ``None`` if malformed."""
    if not isinstance(parse, dict) or not isinstance(parse.get("intent"), dict):
        return None
    name = parse["intent"].get("name")
    confidence = parse["intent"].get("confidence")
    if not isinstance(confidence, int | float):
        return None
    found = [
        e
        for e in parse.get("entities") or []
        if isinstance(e, dict) and isinstance(e.get("entity"), str)
    ]
    entities = frozenset(str(e["entity"]) for e in found)
    intent = name if isinstance(name, str) and name != FALLBACK_INTENT else None
    text = str(parse["text"]) if isinstance(parse.get("text"), str) else ""
    ranking = tuple(
        (str(r["name"]), float(r["confidence"]))
        for r in parse.get("intent_ranking") or []
        if isinstance(r, dict)
        and isinstance(r.get("name"), str)
        and isinstance(r.get("confidence"), int | float)
    )
    return Reading(
        intent,
        float(confidence),
        entities,
        ranking,
        _opening(text, found),
        bool(text and _QUESTION.search(text)),
        tuple(_said(text, e) for e in found if e["entity"] == "ward" and _said(text, e)),
        max(
            (int(e["end"]) for e in found if e["entity"] in BED_THINGS and _said(text, e)),
            default=None,
        ),
        tuple(_said(text, e) for e in found if e["entity"] == "bed" and _said(text, e)),
    )


def _said(text: str, entity: dict[str, Any]) -> str:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return ""


def _opening(text: str, entities: list[dict[str, Any]]) -> str | None:
    """The type of the entity the clause opens with, after a few leading words."""
    lead = _LEAD.match(text)
    begin = lead.end() if lead else 0
    for entity in entities:
        if entity.get("start") == begin:
            return str(entity["entity"])
    return None


class ClauseReader(Protocol):
    """Reads clauses with the conversation's NLU and tells whether a form is waiting."""

    async def read(self, sender: str, text: str) -> Reading | None: ...

    async def form_active(self, sender: str) -> bool | None: ...
