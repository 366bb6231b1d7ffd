"""How NLU reads a clause on its own (``Reading``), and the port that tells it
(``ClauseReader``; over Rasa's HTTP API: ``assistant.clauses.rasa_api``). Only intent
names, confidences and entity *types* are kept, never entity values (PHI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Reading:
    """What NLU made of one clause: its intent (``None`` when not understood), how sure
    it is, and the types of the entities it found."""

    intent: str | None
    confidence: float
    entities: frozenset[str]


def reading_of(parse: Any) -> Reading | None:
    """Rasa's parse result (``/model/parse``) -> a ``Reading``; ``None`` if malformed."""
    if not isinstance(parse, dict) or not isinstance(parse.get("intent"), dict):
        return None
    name = parse["intent"].get("name")
    confidence = parse["intent"].get("confidence")
    if not isinstance(confidence, int | float):
        return None
    entities = frozenset(
        str(e["entity"])
        for e in parse.get("entities") or []
        if isinstance(e, dict) and isinstance(e.get("entity"), str)
    )
    intent = name if isinstance(name, str) and name != FALLBACK_INTENT else None
    return Reading(intent, float(confidence), entities)


class ClauseReader(Protocol):
    """Reads clauses with the conversation's NLU and tells whether a form is waiting."""

    async def read(self, sender: str, text: str) -> Reading | None: ...

    async def form_active(self, sender: str) -> bool | None: ...
