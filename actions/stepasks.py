"""A question of its own while a task waits on a step (a slot to choose, a confirmation).

"hang on, what clinics are on friday?" at "Book H.C. ... on Wed 9 Dec at 09:20?": NLU is
unsure (the filler pulls it off the list of clinics), so the message was taken as no
answer to the step and the step asked again ("Shall I book it? Yes or no."). A message NLU
did not understand that opens (after "hang on", "wait", "sorry" ...) with a question word
of its own, says nothing that changes the task's choice ("what about friday?", "can we do
the 10:00 instead?"), and whose likeliest reading is another task, is that task: served
as a digression, the waiting task offered again after it (``actions.flow.fresh_start``).
"""

from __future__ import annotations

import re

from actions.retime import said_time
from actions.services import get_services
from actions.state import Turn
from intents.catalog import default_catalog

_FILLER = (
    r"(?:(?:hang|hold)\s+on|wait|sorry|one\s+sec(?:ond)?|quick\s+question|oh|um+|er+|"
    r"ok(?:ay)?|actually|btw|by\s+the\s+way)"
)
_OWN_QUESTION = re.compile(
    rf"^\W*(?:{_FILLER}[\s,.!-]*)*(?:what|which|who|where|how\s+many|is\s+there|are\s+there|"
    r"any)\b",
    re.I,
)
# words that change the choice the step waits on (or ask about its slots): an answer to it,
# not a question of its own
_CHANGES = re.compile(
    r"\b(?:what|how)\s+about\b|\b(?:can|could)\s+(?:we|i|you)\s+(?:do|have|make|try|book|get|"
    r"move)\b|\binstead\b|\bmake\s+(?:it|that)\b|\brather\b|\bwhich\s+(?:one|is|of)\b|"
    r"\b(?:earlier|later|first|second|third|last|other)\b|\b(?:slots?|times?)\b",
    re.I,
)
MIN_LIKELY = 0.25  # the other task must be this likely (as ``fallback.REREAD_MIN``)
NOT_SERVED = ("emergency", "talk_to_human", "ask_capabilities")


def asks_its_own(turn: Turn, waiting: str | None) -> str | None:
    """The task a not-understood question of its own asks, while ``waiting`` (the task whose
    step is pending) waits on its step; None when the message may answer the step."""
    if waiting is None or turn.is_payload or turn.intent != "nlu_fallback":
        return None
    if not _OWN_QUESTION.search(turn.text) or _CHANGES.search(turn.text):
        return None
    services = get_services()
    if said_time(turn.text, services.clock(), services.settings.hospital_tz) is not None:
        return None  # "any on friday?": only a time, another one for the step
    catalog = default_catalog()
    for item in turn.ranking:
        intent = catalog.find(item.get("name"))
        if intent is None or not intent.is_task or intent.name in NOT_SERVED:
            continue
        if intent.name == waiting or float(item.get("confidence") or 0) < MIN_LIKELY:
            return None
        return intent.name
    return None
