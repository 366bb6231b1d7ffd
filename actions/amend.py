"""A change to the help request just filed: "actually make that urgent", "no wait, it's urgent".

When a help request is filed, ``last_task`` keeps its ticket and priority (no patient data).
The next message that only says a priority, with words that change it ("actually", "no
wait", "make that ...", "it's ..."), changes the filed task's priority in the HMS: a
guarded action (the ``help:request`` permission, only one's own request, one audit event)
that confirms the change (``help_priority_changed``) or says it already is that
(``help_priority_unchanged``). A message naming anything else (a help type, a ward, a
bed) is a new request, as before.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.help import infer_urgency, priority_code
from actions.reading import FILLER
from actions.state import Turn

# words that may stand around the new priority in a change of it
_CHANGE_WORDS = re.compile(
    r"\b(?:no+|nope|wait|hang|on|sorry|oops|actually|i|meant?|my|mistake|please|make|change|"
    r"mark|set|put|it'?s|that'?s|that|it|this|one|is|to|the|request|job|ticket|should|be|"
    r"can|could|you|as|instead|now|then|ok|okay|er|um|oh)\b",
    re.I,
)
_PRIORITY_WORDS = re.compile(
    r"\b(?:not\s+|non-?\s*)?(?:urgent(?:ly)?|routine|asap|stat|as\s+soon\s+as\s+possible|"
    r"immediately|no\s+rush|no\s+hurry|whenever|high\s+priority|low\s+priority|"
    r"right\s+(?:now|away)|quickly|soon|normal|low|high)\b",
    re.I,
)
_CUE = re.compile(
    r"\b(?:no+|wait|sorry|oops|actually|meant?|make|change|mark|set|it'?s|that'?s|is|should)\b",
    re.I,
)
_OTHER_DETAILS = ("help_type", "ward", "bed", "ticket_id", "patient_name", "mrn", "department")
MAX_WORDS = 9


def filed_request(tracker: Tracker) -> dict[str, Any] | None:
    """The help request filed last in this conversation (``last_task``), or None."""
    last = tracker.get_slot("last_task")
    if isinstance(last, dict) and last.get("intent") == "request_help" and last.get("ticket"):
        return last
    return None


def new_priority(tracker: Tracker, turn: Turn) -> str | None:
    """The priority a message right after a filed help request changes it to, or None
    when the message is not such a change."""
    if filed_request(tracker) is None or turn.is_payload:
        return None
    text = turn.text or ""
    if len(text.split()) > MAX_WORDS or not _CUE.search(text):
        return None
    if any(e.get("entity") in _OTHER_DETAILS for e in turn.entities):
        return None
    rest = _PRIORITY_WORDS.sub(" ", text)
    rest = FILLER.sub(" ", _CHANGE_WORDS.sub(" ", re.sub(r"[^\w\s']", " ", rest.lower())))
    if re.findall(r"[a-z0-9]+", rest):
        return None  # more than a priority and words that change one
    said = infer_urgency(text) or priority_code(turn.value("urgency"))
    return said


class ActionChangeHelpPriority(GuardedAction):
    """Changes the priority of the help request just filed (see the module doc)."""

    intent = "request_help"
    activity = "Changing your help request's priority"
    serves_intent: ClassVar[bool] = False  # not the action that files a request

    def name(self) -> str:
        return "action_change_help_priority"

    async def perform(self, ctx: ActionContext) -> Outcome:
        filed = filed_request(ctx.tracker) or {}
        ticket = str(filed.get("ticket") or "")
        wanted = new_priority(ctx.tracker, Turn.of(ctx.tracker))
        if not ticket or wanted is None:
            return Outcome("refused", reason="no_request")
        task = await ctx.hms.get_task(ticket)
        if task.requester != ctx.staff.username:  # only one's own request
            ctx.say("That request isn't yours to change.", kind="help_priority_denied")
            return Outcome("denied", reason="not_requester", resource=f"Task/{task.id}")
        slots = {**dict(filed.get("slots") or {}), "urgency": wanted}
        kept = {"intent": "request_help", "ticket": ticket, "slots": slots}
        if task.priority == wanted:
            ctx.say(
                f"{ticket} is already {wanted}.",
                kind="help_priority_unchanged",
                data={"ticket_id": ticket, "priority": wanted},
            )
            return Outcome(
                resource=f"Task/{task.id}", detail="unchanged", events=(SlotSet("last_task", kept),)
            )
        changed = await ctx.hms.update_task(ticket, priority=wanted)
        ctx.say(
            f"Done: {ticket} is now {changed.priority} (it was {task.priority}).",
            kind="help_priority_changed",
            data={"ticket_id": ticket, "priority": changed.priority, "was": task.priority},
        )
        return Outcome(
            resource=f"Task/{task.id}",
            detail=f"priority {task.priority}->{changed.priority}",
            events=(SlotSet("last_task", kept),),
        )
