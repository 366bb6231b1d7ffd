"""A mess on the floor described for housekeeping is cleaning, not a fall.

The fall cue "on the floor" also fires on "blood on the floor by bed 4", typed as the
description of a housekeeping request: the request ended in the emergency answer ("call
2222 (fall)"). ``is_a_spill`` is true only for a message that puts a thing (blood, a
spill, vomit...) on the floor and says nothing of a person or of an injury; the safety net
then answers with the caution (the number is still given) and lets the description
through, and only while a housekeeping request asks what is needed
(``assistant.safety.gateway``). Anyone on the floor, anyone bleeding, a fall, a head
injury stays an emergency.
"""

from __future__ import annotations

import re

_THING_ON_THE_FLOOR = re.compile(
    r"\b(?:blood|spill(?:age)?|spilt|spilled|vomit|sick|urine|wee|faeces|poo|mess|puddle|"
    r"fluid|liquid|water|glass|food|drink)\s+(?:on|onto|all\s+over|across)\s+(?:the\s+)?floor\b",
    re.I,
)
# a person, or anything that happened to one: never a mere spill
_PERSON_OR_HARM = re.compile(
    r"\b(?:he|she|they|him|her|them|his|their|someone|somebody|anyone|patient|pt|man|woman|"
    r"lady|gentleman|gent|child|baby|boy|girl|mr|mrs|ms|miss|visitor|resident|nurse|staff|"
    r"colleague|person|people|body|fell|fallen|fall|falls|slipped|tripped|collapsed?|"
    r"bleed\w*|bled|cut|wound|injur\w*|hurt|head|conscious|unconscious|unresponsive|"
    r"breath\w*|pulse|lying|laid|found|help|stop|won'?t|pouring|spurting|pumping|lots|loads|"
    r"everywhere|emergency|urgent\w*|quick\w*|asap|now)\b",
    re.I,
)


def is_a_spill(text: str) -> bool:
    """The message puts a thing on the floor and names no person and no harm."""
    return bool(_THING_ON_THE_FLOOR.search(text or "")) and not _PERSON_OR_HARM.search(text or "")
