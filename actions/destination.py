"""Right after a porter request was filed, where the patient goes is added to it.

"to physio", "and take him to x-ray", "she's going to CT", "destination is theatre": the
next message that says only where to (after a porter request was filed, ``last_task``) is
added to that request as a note ("Destination: x-ray", the task's note in the HMS) and
said back ("Added to HR-000007: to x-ray."). It was "didn't get that" and the porter never
learnt where to go. A guarded action (``help:request``, only one's own request, one audit
event); a message naming a kind of help, a ticket or a patient is a request of its own.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.amend import filed_request
from actions.base import ActionContext, GuardedAction, Outcome
from actions.state import Turn

_OPENER = r"(?:and|oh|also|plus|then|sorry|actually|wait|it'?s|ok(?:ay)?)"
_WHO = r"(?:him|her|them|the\s+patient|patient|the\s+lady|the\s+gentleman|the\s+man|the\s+woman)"
_MOVE = r"(?:take|bring|move|wheel|transfer|send|get|escort)"
_LEAD = (
    rf"(?:(?:can\s+you\s+|please\s+|they\s+need\s+to\s+)?{_MOVE}\s+{_WHO}\s+"
    r"|(?:he|she|they|patient|the\s+patient)(?:'s|'re|\s+is|\s+are|\s+needs?\s+to\s+go)\s+"
    r"(?:going\s+)?|going\s+|heading\s+)?"
)
_PLACE = r"(?P<where>[a-z][\w&'/-]*(?:[\s-]+[\w&'/-]+){0,3}?)"
_TO = re.compile(
    rf"^\W*(?:{_OPENER}\W+)*{_LEAD}"
    r"(?:(?:down\s+|over\s+|up\s+)?to\s+(?:the\s+)?|destination\s*(?:is|:)?\s*(?:the\s+)?)"
    rf"{_PLACE}(?:\W+(?:please|pls|thanks|thx|ta|after\s+that|afterwards))*\W*$",
    re.I,
)
_NOT_A_PLACE = re.compile(
    r"\b(?:urgent|routine|asap|cancel|status|my|request|requests|help|porter|it|that|this|"
    r"me|you|do|be|go|know|say)\b",
    re.I,
)
_RULED_OUT = re.compile(r"\s+(?:not|instead\s+of|rather\s+than)\b", re.I)
_OTHER_DETAILS = ("help_type", "ticket_id", "patient_name", "mrn", "urgency")


def destination(tracker: Tracker, turn: Turn) -> str | None:
    """Where a message right after a filed porter request says the patient goes, or None."""
    filed = filed_request(tracker)
    if filed is None or turn.is_payload:
        return None
    if (filed.get("slots") or {}).get("help_type") != "porter":
        return None
    if any(e.get("entity") in _OTHER_DETAILS for e in turn.entities):
        return None
    match = _TO.match(turn.text or "")
    if match is None:
        return None
    # "to x-ray not CT": x-ray (the place ruled out is no destination)
    where = _RULED_OUT.split(match.group("where"))[0].strip()
    if not where or _NOT_A_PLACE.search(where):
        return None
    return where


class ActionAddHelpDestination(GuardedAction):
    """Adds where the patient goes to the porter request just filed."""

    intent = "request_help"
    activity = "Adding where to to your porter request"
    serves_intent: ClassVar[bool] = False  # reached through ``actions.amend.amendment``

    def name(self) -> str:
        return "action_add_help_destination"

    async def perform(self, ctx: ActionContext) -> Outcome:
        filed = filed_request(ctx.tracker) or {}
        ticket = str(filed.get("ticket") or "")
        where = destination(ctx.tracker, Turn.of(ctx.tracker))
        if not ticket or where is None:
            return Outcome("refused", reason="no_request")
        task = await ctx.hms.get_task(ticket)
        if task.requester != ctx.staff.username:  # only one's own request
            ctx.say("That request isn't yours to change.", kind="help_priority_denied")
            return Outcome("denied", reason="not_requester", resource=f"Task/{task.id}")
        await ctx.hms.update_task(ticket, note=f"Destination: {where}")
        ctx.say(
            f"Added to {ticket}: to {where}.",
            kind="help_destination_added",
            data={"ticket_id": ticket, "destination": where},
        )
        return Outcome(
            resource=f"Task/{task.id}",
            detail="destination added",
            events=(SlotSet("last_task", filed),),
        )


# "no sorry, to x-ray not CT", "actually to x-ray instead of CT", "sorry, it's to MRI not CT"
# while the porter request is still being asked about
_CORRECTED = re.compile(
    r"^\W*(?:(?:no+|nope|sorry|oops|actually|wait|i\s+meant?|make\s+(?:that|it)|it'?s|"
    r"going|needs?\s+to\s+go)\W+)*(?:to\s+(?:the\s+)?)(?P<where>[a-z][\w&'/-]*(?:\s+[\w&'/-]+){0,2}?)"
    r"\s+(?:not|instead\s+of|rather\s+than)\s+(?:to\s+)?(?:the\s+)?"
    r"(?P<was>[a-z][\w&'/-]*(?:\s+[\w&'/-]+){0,2}?)(?:\W+(?:please|pls|thanks))*\W*$",
    re.I,
)


def corrected_destination(text: str, description: str | None) -> str | None:
    """The request's description with the destination a correction names ("porter for bed
    18 to CT please", then "no sorry to x-ray not CT" while the urgency was asked: "Please
    pick one: Routine, Urgent or Immediately." and the porter sent to CT): the place ruled
    out replaced, or the destination added; None when the message is no such correction."""
    match = _CORRECTED.match(text or "")
    if match is None:
        return None
    where, was = match.group("where").strip(), match.group("was").strip()
    if _NOT_A_PLACE.search(where):
        return None
    said = " ".join((description or "").split())
    ruled_out = re.compile(rf"\b{re.escape(was)}\b", re.I)
    if ruled_out.search(said):
        return ruled_out.sub(where, said, count=1)
    return f"{said}; to {where}" if said else f"to {where}"
