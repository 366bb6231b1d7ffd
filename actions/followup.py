"""Follow-up questions: "and friday?", "what about ICU?" right after an answer.

A question the catalog marks ``follow_up`` (free beds, clinic and ward lists) leaves what
it was asked in the ``last_task`` slot when it is answered. A next message that only names
new details, with a follow-up cue ("and", "what about", "same for", "sorry,"), asks that
question again with those details changed and the rest kept.
Any other message starts afresh (slot hygiene): ``last_task`` is cleared with every task
slot when the next request starts. It never holds a patient's name or MRN.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.reading import FILLER
from actions.state import Turn, slots_set_this_turn, task_slots
from intents.catalog import default_catalog

# "and friday?", "what about ICU?"; or a correction of what was just asked ("sorry, 4B"
# after "I don't know ward 5")
_CUE = re.compile(
    r"^\s*(?:ok(?:ay)?\s*,?\s*)?(?:and|also|what\s+about|how\s+about|same\s+(?:again\s+)?for|"
    r"now|sorry|oops|i\s+meant?|actually)\b",
    re.I,
)
_CUE_WORDS = re.compile(
    r"\b(?:and|also|what|how|about|same|again|for|now|then|there|oops|i|mean|meant)\b", re.I
)


def remember(intent: str, tracker: Tracker, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``last_task`` event for an answered follow-up question (else nothing)."""
    spec = default_catalog().find(intent)
    if spec is None or not spec.follow_up:
        return []
    values = {s: tracker.get_slot(s) for s in task_slots()}
    for event in events:
        if event.get("event") == "slot" and event.get("name") in values:
            if event.get("value") not in (None, ""):
                values[str(event["name"])] = event["value"]
    # never a patient's name or MRN: the bookkeeping slot outlives the answer
    catalog = default_catalog()
    kept = {
        k: v
        for k, v in values.items()
        if v not in (None, "", []) and catalog.slot(k).thing != "patient"
    }
    return [SlotSet("last_task", {"intent": intent, "slots": kept})]


def elliptical(turn: Turn) -> bool:
    """A follow-up cue and nothing but details: "and friday?", "what about ward 7?"."""
    if turn.is_payload or not _CUE.search(turn.text) or not turn.entities:
        return False
    spans = [(int(e.get("start") or 0), int(e.get("end") or 0)) for e in turn.entities]
    rest = "".join(
        " " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(turn.text)
    )
    rest = FILLER.sub(" ", _CUE_WORDS.sub(" ", rest.lower()))
    return not re.findall(r"[a-z0-9]+", rest)


def follow_up(tracker: Tracker, turn: Turn) -> tuple[str, dict[str, Any]] | None:
    """(intent, details kept from the last question) when the message follows it up."""
    last = tracker.get_slot("last_task")
    if not isinstance(last, dict) or not elliptical(turn):
        return None
    catalog = default_catalog()
    intent = catalog.find(last.get("intent"))
    if intent is None or not intent.follow_up:
        return None
    named = {
        k
        for k, v in slots_set_this_turn(tracker).items()
        if v not in (None, "") and k in catalog.slot_names()
    }
    uses = {s.name for s in catalog.slots if set(s.entities) & set(intent.entities)}
    if not named or not named <= uses:
        return None
    kept = dict(last.get("slots") or {})
    if "ward" in named:
        kept.pop("bed", None)  # another ward: not the same bed number
    return intent.name, {k: v for k, v in kept.items() if k not in named and k in uses}
