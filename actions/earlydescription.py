"""A help request's description said before it was asked, in words NLU reads as out of
scope.

"porter for bed 5 on 4B" ... "How urgent is it?" ... "hes going to xray, wheelchair": NLU
reads no task ("out of scope"), so the answer was "Sorry, I can't help with that" and the
urgency asked again; the words were lost and the description asked for later. The form
takes a description said early when NLU reads the message as an answer
(``actions.forms``); an out-of-scope reading of a statement that describes a job is the
same thing. A question ("what's the wifi password?") stays out of scope.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.freetext import nonsense
from actions.slotvalues import describes
from actions.state import Turn

HELP_FORM = "request_help_form"
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:and\s+)?(?:any|is|are|where|who|what|whats|when|which|can|could|how)\b", re.I
)
WORDS_NEEDED = 3  # as for a description said early in an answer (``actions.forms``)


def early_description(tracker: Tracker, turn: Turn) -> str | None:
    """The description an out-of-scope message gives while the help request asks for
    something else (its ward, its urgency), or None."""
    if (tracker.active_loop or {}).get("name") != HELP_FORM or turn.is_payload:
        return None
    if turn.intent != "out_of_scope":
        return None
    asked = tracker.get_slot("requested_slot")
    if asked in (None, "help_description") or tracker.get_slot("help_description"):
        return None
    text = " ".join(turn.text.split())
    if not text or nonsense(text) or _QUESTION.search(text):
        return None
    from actions.fallback import CLINICAL  # (actions.fallback imports this module's users)

    if CLINICAL.search(text) or not describes(text, turn.spans(), WORDS_NEEDED):
        return None
    return text[:500]
