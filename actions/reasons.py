"""What a break-glass reason is not: a new request, a stop, or another patient asked about.

A reason (why emergency access to a patient's location is needed) is any statement of
it - "deteriorating, on-call review", "covering 7 tonight", even one that sounds like an
emergency - and is recorded as given. But it is never:

- a stop said first: "never mind, book her into cardiology on friday" (the access is not
  wanted; the rest is a request of its own);
- another request: "get a porter to take him to CT, urgent" - NLU likely of a task and it
  opens as a request does ("get", "book", "send", "can you ...");
- a question: "and Hamza Campbell?", "where is he?" - a reason is not asked.

Each of these leaves the reason's question (``actions.reading.is_interruption``): nothing is
granted, and the message is served as what it is.
"""

from __future__ import annotations

import re

from actions.state import Turn
from intents.catalog import Catalog

LIKELY_REQUEST = 0.5  # NLU this likely of another task, and worded as a request
_STOP_FIRST = re.compile(
    r"^\W*(?:(?:oh|ok|okay|sorry|actually|no+|nope|nah)\W+)*(?:never\s*mind|forget\s+(?:it|that)|"
    r"cancel\s+(?:that|it|this)|scrap\s+that|don'?t\s+bother|leave\s+it)\b",
    re.I,
)
_REQUEST = re.compile(
    r"^\W*(?:(?:ok|okay|actually|sorry|also|and|then|first|please|pls|right|instead)\W+)*"
    r"(?:get|book|send|request|order|arrange|cancel|move|reschedule|close|open|reopen|mark|"
    r"set|put|watch|tell\s+me|show|list|check|find|look\s+up|call|ring|page|need\s+an?|"
    r"i\s+need\s+an?|can\s+(?:you|i|we)|could\s+(?:you|i|we)|would\s+you)\b",
    re.I,
)
_ASKED = re.compile(r"\?\s*$|^\W*(?:what|how)\s+about\b", re.I)


def not_a_reason(turn: Turn, catalog: Catalog) -> bool:
    """The message answering "What is the reason for emergency access?" is not one."""
    if _STOP_FIRST.search(turn.text):
        return True
    if _ASKED.search(turn.text):
        return True
    intent = catalog.find(turn.intent)
    if intent is None or not intent.is_task or intent.name == "emergency":
        return False
    return turn.confidence >= LIKELY_REQUEST and bool(_REQUEST.search(turn.text))
