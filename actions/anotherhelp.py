"""Another help request said while a help request's description is asked.

"porter for bed 5" ... "Briefly, what is needed?" ... "oh and housekeeping for bed 7 too,
spillage": a second request, not the porter's description. Taken as the description, the
porter job said "oh and housekeeping for bed 7 too" (the porter could not tell where to
go) and the housekeeping job was never filed. Now the message is held - said so, the
porter's description asked again (or taken, when the message says it first: "the printer
wont print, also need housekeeping for bed 4"), nothing the message named kept for the
porter - and the gateway offers it once the porter request is filed ("You also asked:
'...'. Shall I do that now?", ``assistant.gateway.heldclauses``), as for the later clauses
of one message.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.slotvalues import describes
from actions.state import Turn, slots_before_turn, slots_set_this_turn

HELD_KIND = "request_held"  # the gateway keeps ``data.clause`` and offers it later
# "oh and ...", "also ...", "plus ...", "... too", "... as well", "another ...": one more
_ONE_MORE = re.compile(
    r"^\W*(?:(?:oh|ah|ok|okay|and|also|plus|sorry|wait)\W+)*(?:and|also|plus)\b"
    r"|\b(?:too|as\s+well|also|another|second)\b",
    re.I,
)
_PLACE = ("ward", "bed")
# where the one more starts after a description: ", also ...", " and also ...", "; plus ..."
_STARTS = re.compile(
    r"[,;.]?\s*\b(?:(?:oh\s+)?and\s+)?(?:also|plus)\b|[,;.]\s*(?:oh\s+)?and\b", re.I
)


def another_help_request(turn: Turn) -> bool:
    """The message asks for one more help job: NLU read a help request naming a kind of
    help and a place, put as one more ("oh and housekeeping for bed 7 too")."""
    if turn.is_payload or turn.intent != "request_help":
        return False
    if not turn.values("help_type") or not any(turn.values(p) for p in _PLACE):
        return False
    return bool(_ONE_MORE.search(turn.text))


# where a second request starts in a first message: "..., and IT for ...", "... also ..."
_BETWEEN = re.compile(r"[,;]?\s*\b(?:and|also|plus|then)\b(?:\s+(?:also|then))?|[,;]", re.I)


def first_of_two(turn: Turn) -> tuple[Turn, str] | None:
    """ "porter for bed 5 and IT for the ward printer": the first request (the message up
    to where the second starts, its own entities only) and the second, to hold (the whole
    message was filed as one IT request for bed 5 and the porter was lost); None when the
    message names one kind of help."""
    from actions.help import help_type_code  # (actions.help imports this module's users)

    if turn.is_payload or turn.intent != "request_help":
        return None
    kinds = [(help_type_code(v) or v.lower(), at) for v, at in turn.values("help_type")]
    later = [at for code, at in kinds[1:] if kinds and code != kinds[0][0]]
    if not later:
        return None
    cuts = [m for m in _BETWEEN.finditer(turn.text) if kinds[0][1] < m.start() < min(later)]
    if not cuts:
        return None
    head = turn.text[: cuts[-1].start()].rstrip(" ,;.-")
    held = " ".join(turn.text[cuts[-1].end() :].strip(" ,;.-").split())
    if not head or not held:
        return None
    entities = tuple(e for e in turn.entities if int(e.get("end") or 0) <= len(head))
    return replace(turn, text=head, entities=entities), held


def say_held(dispatcher: CollectingDispatcher, said: str) -> None:
    """ "One thing at a time: ..." - the gateway offers ``said`` once this request is filed."""
    dispatcher.utter_message(
        text=f"One thing at a time: I'll come back to '{said}' when this request is filed.",
        json_message={"phi": True, "kind": HELD_KIND, "data": {"clause": said}},
    )


def split_off(turn: Turn) -> tuple[str, str] | None:
    """ "the label printer wont print, also need housekeeping for bed 4": the description
    of the request in hand said first, and the one more after it; None when the message
    opens with the one more."""
    text = turn.text
    first = min((at for _, at in turn.values("help_type")), default=0)
    cuts = [m for m in _STARTS.finditer(text) if 0 < m.start() < first]
    if not cuts:
        return None
    head = text[: cuts[-1].start()].strip(" ,;.-")
    tail = text[cuts[-1].start() :].lstrip(" ,;.-")
    spans = [(a, b) for a, b in turn.spans() if b <= len(head)]
    return (head, tail) if head and describes(head, spans, 2) else None


def hold_another_request(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, form_slots: list[str]
) -> list[EventType]:
    """Say the request is held, undo what the slot mappings took from it for the form
    in hand, and ask the description again."""
    split = split_off(turn)
    say_held(dispatcher, " ".join((split[1] if split else turn.text).split()))
    before = slots_before_turn(tracker)
    undone: list[Any] = [
        SlotSet(slot, before.get(slot))
        for slot in slots_set_this_turn(tracker)
        if slot in form_slots and slot != "requested_slot"
    ]
    if split is not None:  # the description said first: this request is complete
        return [
            *undone,
            SlotSet("help_description", split[0][:500]),
            SlotSet("requested_slot", None),
        ]
    return [*undone, SlotSet("requested_slot", "help_description")]
