"""'all of them', 'cancel them all', 'both' while a patient's appointments are offered to
cancel or move (or "cancel all of Arjun Johnson's appointments"): appointments are
cancelled or moved one at a time, each with its own confirmation - said plainly, with the
same choices offered again (NLU read "all of them" as a goodbye: it said "Goodbye.")."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.state import pending_intent, pending_step, slots_before_turn

_ALL = re.compile(
    r"\b(?:all(?:\s+of)?\s+(?:them|those|these|the\s+\w+\s+ones|(?:his|her|their|the)\s+"
    r"(?:appointments|appts|ones))|all\s+\w+\s+of\s+them|them\s+all|(?:every|each)\s+(?:one|of\s+them)|"
    r"both(?:\s+of\s+them)?|the\s+lot|everything|all)\b",
    re.I,
)
_WHAT = {"cancel_appointment": "cancel", "reschedule_appointment": "move"}


def says_all(text: str | None) -> bool:
    """The message asks for all the appointments at once."""
    said = str(text or "")
    return not said.lstrip().startswith("/") and bool(_ALL.search(said))


def one_at_a_time(intent: str) -> str:
    """The plain answer to 'all of them' for a cancel or a move."""
    verb = _WHAT.get(intent, "cancel")
    return f"I {verb} appointments one at a time, each with its own confirmation. Which one first?"


def asks_for_all(tracker: Tracker, text: str | None) -> bool:
    """While a patient's appointments are offered to pick from (a cancel or a move), the
    message asks for all of them."""
    pending = slots_before_turn(tracker).get("pending")
    return pending_intent(pending) in _WHAT and pending_step(pending) == "pick" and says_all(text)
