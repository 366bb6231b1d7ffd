"""A change of the kind of help just asked for: "make that IT not porter", "sorry, I meant
housekeeping" right after a porter request was filed.

The HMS task's kind cannot be changed in place (porters would already see it in their
queue), so the request just filed is withdrawn and the same request - place, priority,
description - is filed again for the kind meant; one answer names both tickets. Only
one's own request, and only while nobody has taken it (then: cancel it and ask again).
This was a second, separate request with the first one left live for the porters.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.amend import MAX_WORDS, filed_request
from actions.base import ActionContext, GuardedAction, Outcome
from actions.help import HELP_NAMES, help_type_code
from actions.reading import FILLER, resolve_values
from actions.state import Turn, blanked

_CUE = re.compile(
    r"\b(?:no+|wait|sorry|oops|actually|meant?|make|change|switch|not|instead|rather)\b", re.I
)
_AROUND = re.compile(
    r"\b(?:not|instead|make|change|switch|that|this|it'?s|a|an|the|request|job|one|should|be|"
    r"i|meant?|sorry|no+|actually|wait|oops|need(?:ed)?|want(?:ed)?|was|for|of|rather|than|"
    r"please|to|ok|okay|oh)\b",
    re.I,
)
UNTAKEN = ("requested", "received", "ready")


def new_help_type(tracker: Tracker, turn: Turn) -> str | None:
    """The kind of help a message right after a filed request changes it to, or None."""
    filed = filed_request(tracker)
    if filed is None or turn.is_payload:
        return None
    text = turn.text or ""
    if len(text.split()) > MAX_WORDS or not _CUE.search(text):
        return None
    if any(e.get("entity") != "help_type" for e in turn.entities):
        return None
    values = turn.values("help_type")
    wanted = help_type_code(resolve_values(text, values)) if values else None
    was = (filed.get("slots") or {}).get("help_type")
    if wanted is None or wanted == was:
        return None
    rest = FILLER.sub(" ", _AROUND.sub(" ", re.sub(r"[^\w\s']", " ", blanked(text, turn.spans()))))
    return None if rest.split() else wanted


class ActionChangeHelpType(GuardedAction):
    """Refiles the help request just filed as the kind of help meant (module doc)."""

    intent = "request_help"
    activity = "Changing the kind of help you asked for"
    serves_intent: ClassVar[bool] = False

    def name(self) -> str:
        return "action_change_help_type"

    async def perform(self, ctx: ActionContext) -> Outcome:
        filed = filed_request(ctx.tracker) or {}
        ticket = str(filed.get("ticket") or "")
        wanted = new_help_type(ctx.tracker, Turn.of(ctx.tracker))
        if not ticket or wanted is None:
            return Outcome("refused", reason="no_request")
        task = await ctx.hms.get_task(ticket)
        resource = f"Task/{task.id}"
        if task.requester != ctx.staff.username:
            ctx.say("That request isn't yours to change.", kind="help_priority_denied")
            return Outcome("denied", reason="not_requester", resource=resource)
        was = HELP_NAMES.get(task.help_type or "", task.help_type or "help")
        if task.status not in UNTAKEN:
            ctx.say(
                f"{ticket} ({was}) has already been taken, so I haven't changed it. Cancel it "
                "and ask again if it is not needed.",
                kind="help_type_unchanged",
                data={"ticket_id": ticket, "status": task.status},
            )
            return Outcome("conflict", resource=resource, reason="taken")
        await ctx.hms.update_task(ticket, status="cancelled", note=f"asked as {wanted} instead")
        priority = task.priority or "routine"
        new = await ctx.hms.create_task(
            wanted, task.location_id, priority, task.description or "", ctx.staff.username
        )
        what = HELP_NAMES.get(wanted, wanted)
        ctx.say(
            f"Done: {ticket} ({was}) is withdrawn and your {what} request is {new.ticket_id} "
            f"({priority}).",
            kind="help_type_changed",
            data={"ticket_id": new.ticket_id, "was": ticket, "help_type": wanted},
        )
        slots: dict[str, Any] = {**dict(filed.get("slots") or {}), "help_type": wanted}
        kept = {"intent": "request_help", "ticket": new.ticket_id, "slots": slots}
        return Outcome(
            resource=f"Task/{new.id}",
            detail=f"help type {task.help_type}->{wanted}",
            events=(SlotSet("last_task", kept),),
        )
