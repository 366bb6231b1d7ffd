"""Right after a bed's status was changed: "undo", "put it back" puts it back; "never
mind", "forget it" says plainly that the change stands and how to undo it.

A bed change leaves what it changed in ``last_task.undo`` (and every bed of a change of
several in ``last_task.changed``): the bed, the status it had (``status``) and the one it
was given (``now``). The next message that only asks for the change to be taken back
("undo", "undo that", "put it back", "change it back", whatever NLU read it as) is
``ActionUndoBedChange``: a guarded action of its own (the ``beds:update`` permission, the
ward checked, one audit event) that puts back each bed still as the change left it (a bed
someone changed since is left alone, said so). A stop right after the change ("never
mind", "forget it", "cancel that") undoes nothing: a stop has nothing in hand to end, and
the change was already made, so the answer says so ("Ward 7 Bed 3 stays waiting for
cleaning - say 'undo' to put it back").
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.beds import STATUS_PHRASES, write_change
from actions.state import Turn
from assistant.hms.errors import NotFound

_UNDO = re.compile(
    r"^\W*(?:(?:no|oh|oops|sorry|actually|wait|ok(?:ay)?|please|can\s+you|could\s+you|"
    r"just)\W+)*"
    r"(?:undo(?:\s+(?:that|it|this|the\s+last(?:\s+(?:one|change))?|the\s+change))?"
    r"|(?:put|set|change|turn|switch)\s+(?:it|that|them|this|the\s+beds?)\s+back"
    r"(?:\s+(?:as\s+it\s+was|how\s+it\s+was|the\s+way\s+it\s+was|again))?"
    r"|revert\s*(?:that|it|this|the\s+change)?|reverse\s+(?:that|it|the\s+change)"
    r"|take\s+(?:that|it)\s+back)"
    r"(?:\W+(?:please|thanks|then|after\s+all|i\s+was\s+wrong))*\W*$",
    re.I,
)


def changed_beds(tracker: Tracker) -> list[dict[str, Any]]:
    """The beds the last bed change changed (each with ``status`` it had and ``now``)."""
    last = tracker.get_slot("last_task")
    if not isinstance(last, dict):
        return []
    beds = [b for b in last.get("changed") or [] if isinstance(b, dict)]
    undo = last.get("undo")
    if not beds and isinstance(undo, dict):
        beds = [undo]
    return [b for b in beds if b.get("now") and b.get("status") in STATUS_PHRASES]


def undoes_bed_change(tracker: Tracker, turn: Turn) -> bool:
    """The message only asks to take back the bed change just made."""
    if turn.is_payload or not _UNDO.search(turn.text or ""):
        return False
    return bool(changed_beds(tracker))


def stop_after_change(tracker: Tracker) -> str | None:
    """After a bed change, "never mind" / "forget it": the sentence that says the change
    stands and how to take it back (None when no bed was just changed)."""
    beds = changed_beds(tracker)
    if not beds:
        return None
    stays = "; ".join(
        f"{b['label']} stays {STATUS_PHRASES.get(str(b['now']), str(b['now']))}" for b in beds
    )
    it = "it" if len(beds) == 1 else "them"
    return f"That change was already made: {stays} - say 'undo' to put {it} back."


class ActionUndoBedChange(GuardedAction):
    """Puts back the beds the last bed change changed."""

    intent = "update_bed_status"
    activity = "Putting a bed's status back"
    serves_intent: ClassVar[bool] = False  # reached through ``actions.amend.amendment``

    def name(self) -> str:
        return "action_undo_bed_change"

    async def perform(self, ctx: ActionContext) -> Outcome:
        beds = changed_beds(ctx.tracker)
        if not beds:
            return Outcome("refused", reason="nothing_to_undo")
        undone: list[dict[str, Any]] = []
        for kept in beds:
            ctx.check_ward(str(kept["ward"]))
            try:
                bed = await ctx.hms.get_bed(str(kept["ward"]), str(kept["bed"]))
            except NotFound:
                continue
            if bed.status != kept["now"]:  # changed again since: not ours to put back
                now = STATUS_PHRASES.get(bed.status or "", "unknown")
                ctx.say(
                    f"{bed.label} has changed since (it is now {now}): I haven't put it back.",
                    kind="update_bed_status_unchanged",
                    data={"label": bed.label, "status": bed.status},
                )
                continue
            undone.append(await write_change(ctx, bed, str(kept["status"])))
        kept_task: dict[str, Any] = {"intent": self.intent, "changed": undone}
        if undone:
            kept_task["undo"] = undone[-1]
        return Outcome(
            events=(SlotSet("last_task", kept_task),),
            resource=f"Location/{beds[0]['bed_id']}",
            detail=f"undo {len(undone)} of {len(beds)} beds",
        )
