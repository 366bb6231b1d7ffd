"""A change to the help request just filed: "actually make that urgent", "no wait, it's urgent",
"sorry, bed 6 not bed 3".

When a help request is filed, ``last_task`` keeps its ticket, priority, ward and bed (no
patient data). The next message that only says a priority ("urgent please", "actually
make that urgent", "it's urgent after all"), perhaps with a reason after it ("it is urgent
after all, we can't print drug charts"), changes the filed task's priority in the HMS (no
second request); one that opens with a correction ("sorry", "no", "I meant", "wrong bed") and only
names another bed or ward moves it there. Each is a guarded action (the ``help:request``
permission, only one's own request, one audit event) that confirms the change
(``help_priority_changed``, ``help_location_changed``) or says it already is that
(``help_priority_unchanged``). A change of the kind of help ("make that IT not porter") refiles
it (``actions.retype``). A message naming anything else (a patient, a ticket) is a new
request, as before.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.beds import said_beds, ward_said_in
from actions.freetext import only_priority
from actions.help import infer_help_type
from actions.reading import FILLER, resolve_values
from actions.state import Turn, blanked
from assistant.hms.errors import NotFound

_OTHER_DETAILS = ("help_type", "ward", "bed", "ticket_id", "patient_name", "mrn", "department")
MAX_WORDS = 9
MAX_WITH_REASON = 18  # a change of priority with the reason for it


def filed_request(tracker: Tracker) -> dict[str, Any] | None:
    """The help request filed last in this conversation (``last_task``), or None."""
    last = tracker.get_slot("last_task")
    if isinstance(last, dict) and last.get("intent") == "request_help" and last.get("ticket"):
        return last
    return None


def new_priority(tracker: Tracker, turn: Turn) -> str | None:
    """The priority a message right after a filed help request changes it to, or None
    when the message is not such a change: it says only a priority ("urgent please", "it's
    urgent after all", "no rush actually"), perhaps with the reason after it ("it is urgent
    after all, we can't print drug charts", "actually make it urgent, CT are waiting") - a
    reason that names no other kind of help than the one filed."""
    filed = filed_request(tracker)
    if filed is None or turn.is_payload:
        return None
    text = turn.text or ""
    if any(e.get("entity") in _OTHER_DETAILS for e in turn.entities):
        return None
    if len(text.split()) <= MAX_WORDS and only_priority(text) is not None:
        return only_priority(text)
    if len(text.split()) > MAX_WITH_REASON:
        return None
    for head, reason in split_reasons(text):  # "sorry, not urgent, they found another one"
        if len(head.split()) > MAX_WORDS or said_beds(reason):
            continue  # "..., the patient in bed 6 is waiting": a place named, not only a reason
        said, kind = only_priority(head), infer_help_type(reason)
        if said is not None and kind in (None, (filed.get("slots") or {}).get("help_type")):
            return said
    return None


# where a reason may follow a change of priority: ", ", "; ", " - ", "because", "since"
_REASON_AT = re.compile(r"\s*[,;:]\s*|\s+-+\s+|\s+(?:because|cos|coz|cause|since)\s+", re.I)


def split_reasons(text: str) -> list[tuple[str, str]]:
    """The message before and after each place a reason may start, the first first."""
    return [(text[: m.start()], text[m.end() :]) for m in _REASON_AT.finditer(text)]


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


# how a change of where the help is needed opens ("sorry, bed 6 not bed 3", "no, ICU")
_PLACE_CUE = re.compile(
    r"^\W*(?:(?:no+|nope|wait|hang\s+on|oops|sorry|i\s+meant?|actually|my\s+mistake|"
    r"wrong\s+(?:bed|ward)|it'?s|it\s+should\s+be)\b\W*)+",
    re.I,
)
_PLACE_WORDS = re.compile(r"\b(?:not|wrong|bed|ward|on|in|at|to|the|please|i|meant?|it'?s)\b", re.I)


_WRONG_WARD = re.compile(r"\bwrong\s+ward\W+(?:it'?s\s+|on\s+|ward\s+)?([a-z0-9]{1,6})\W*$", re.I)


def new_place(tracker: Tracker, turn: Turn) -> dict[str, str] | None:
    """The ward and/or bed a message right after a filed help request moves it to
    ("sorry, bed 6 not bed 3" -> {"bed": "6"}), or None when it is no such change."""
    if filed_request(tracker) is None or turn.is_payload:
        return None
    text = turn.text or ""
    if len(text.split()) > MAX_WORDS or not _PLACE_CUE.search(text):
        return None
    if any(e.get("entity") not in ("ward", "bed") for e in turn.entities):
        return None
    wards = turn.values("ward")
    bare = _WRONG_WARD.search(text) or ward_said_in(text)
    if not wards and bare:  # "wrong ward, 7", "actually ward 7 bed 2": a ward NLU did not tag
        wards = [(bare.group(1), bare.start(1))]
    beds = said_beds(text) or turn.values("bed")
    said = {"ward": resolve_values(text, wards), "bed": resolve_values(text, beds)}
    place = {k: str(v) for k, v in said.items() if v not in (None, "")}
    spans = turn.spans()
    if bare and not turn.values("ward"):
        spans.append((bare.start(1), bare.end(1)))
    rest = blanked(text, spans)
    rest = _PLACE_WORDS.sub(" ", _PLACE_CUE.sub(" ", re.sub(r"\d+", " ", rest.lower())))
    if not (place.get("ward") or (filed_request(tracker) or {}).get("slots", {}).get("ward")):
        return None  # no ward to place the bed on
    if not place or re.findall(r"[a-z0-9]+", FILLER.sub(" ", re.sub(r"[^\w\s']", " ", rest))):
        return None  # more than a place and words that correct one
    return place


class ActionChangeHelpPlace(GuardedAction):
    """Moves the help request just filed to the bed or ward the user corrects it to."""

    intent = "request_help"
    activity = "Changing where your help request is needed"
    serves_intent: ClassVar[bool] = False

    def name(self) -> str:
        return "action_change_help_place"

    async def perform(self, ctx: ActionContext) -> Outcome:
        filed = filed_request(ctx.tracker) or {}
        ticket = str(filed.get("ticket") or "")
        place = new_place(ctx.tracker, Turn.of(ctx.tracker))
        if not ticket or place is None:
            return Outcome("refused", reason="no_request")
        slots = dict(filed.get("slots") or {})
        ward_code = place.get("ward") or slots.get("ward")
        number = place.get("bed")  # another ward alone: the ward, no bed
        task = await ctx.hms.get_task(ticket)
        if task.requester != ctx.staff.username:  # only one's own request
            ctx.say("That request isn't yours to change.", kind="help_priority_denied")
            return Outcome("denied", reason="not_requester", resource=f"Task/{task.id}")
        try:
            ward = await ctx.hms.get_ward(str(ward_code))
            bed = await ctx.hms.get_bed(ward.code, str(number)) if number else None
        except NotFound:
            where = f"bed {number} on ward {ward_code}" if number else f"ward {ward_code}"
            ctx.say(
                f"I can't find {where}, so {ticket} is unchanged.",
                kind="unknown_bed" if number else "unknown_ward",
                data={"value": str(number or ward_code), "suggestions": []},
            )
            return Outcome("not_found", reason="unknown_place", resource=f"Task/{task.id}")
        location = bed.id if bed else ward.id
        label = bed.label if bed else ward.name
        slots = {k: v for k, v in slots.items() if k != "bed"}
        kept = {
            "intent": "request_help",
            "ticket": ticket,
            "slots": {**slots, "ward": ward.code, **({"bed": str(number)} if bed else {})},
        }
        await ctx.hms.update_task(ticket, location_id=location)
        ctx.say(
            f"Done: {ticket} is now for {label}.",
            kind="help_location_changed",
            data={"ticket_id": ticket, "ward": ward.code, "bed": label if bed else None},
        )
        return Outcome(
            resource=f"Task/{task.id}",
            detail="location changed",
            events=(SlotSet("last_task", kept),),
        )


def amendment(tracker: Tracker, turn: Turn) -> GuardedAction | None:
    """The change a message makes to the help request just filed (or, "undo", to the bed
    change just made; "actually make that HDU", to the bed watch just set; "to physio", to
    the porter request just filed), or None."""
    if new_priority(tracker, turn) is not None:
        return ActionChangeHelpPriority()
    if new_place(tracker, turn) is not None:
        return ActionChangeHelpPlace()
    from actions.retype import ActionChangeHelpType, new_help_type  # (it imports this module)

    if new_help_type(tracker, turn) is not None:
        return ActionChangeHelpType()
    from actions.bedundo import ActionUndoBedChange, undoes_bed_change
    from actions.destination import ActionAddHelpDestination, destination

    if destination(tracker, turn) is not None:  # "and take him to x-ray" after a porter
        return ActionAddHelpDestination()
    from actions.watchmove import ActionMoveBedWatch, moved_to

    if moved_to(tracker, turn) is not None:  # "actually make that HDU" after a bed watch
        return ActionMoveBedWatch()

    if undoes_bed_change(tracker, turn):  # "undo that" right after a bed change
        return ActionUndoBedChange()
    return None
