"""Another help request said while a help request's description is asked.

"porter for bed 5" ... "Briefly, what is needed?" ... "oh and housekeeping for bed 7 too,
spillage": a second request, not the porter's description. Taken as the description, the
porter job said "oh and housekeeping for bed 7 too" (the porter could not tell where to
go) and the housekeeping job was never filed. Now the message is held - said so, the
porter's description asked again, nothing the message named kept for the porter - and the
gateway offers it once the porter request is filed ("You also asked: '...'. Shall I do
that now?", ``assistant.gateway.heldclauses``), as for the later clauses of one message.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.state import Turn, slots_before_turn, slots_set_this_turn

HELD_KIND = "request_held"  # the gateway keeps ``data.clause`` and offers it later
# "oh and ...", "also ...", "plus ...", "... too", "... as well", "another ...": one more
_ONE_MORE = re.compile(
    r"^\W*(?:(?:oh|ah|ok|okay|and|also|plus|sorry|wait)\W+)*(?:and|also|plus)\b"
    r"|\b(?:too|as\s+well|also|another|second)\b",
    re.I,
)
_PLACE = ("ward", "bed")


def another_help_request(turn: Turn) -> bool:
    """The message asks for one more help job: NLU read a help request naming a kind of
    help and a place, put as one more ("oh and housekeeping for bed 7 too")."""
    if turn.is_payload or turn.intent != "request_help":
        return False
    if not turn.values("help_type") or not any(turn.values(p) for p in _PLACE):
        return False
    return bool(_ONE_MORE.search(turn.text))


def hold_another_request(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, form_slots: list[str]
) -> list[EventType]:
    """Say the request is held, undo what the slot mappings took from it for the form
    in hand, and ask the description again."""
    said = " ".join(turn.text.split())
    dispatcher.utter_message(
        text=f"One thing at a time: I'll come back to '{said}' when this request is filed.",
        json_message={"phi": True, "kind": HELD_KIND, "data": {"clause": said}},
    )
    before = slots_before_turn(tracker)
    undone: list[Any] = [
        SlotSet(slot, before.get(slot))
        for slot in slots_set_this_turn(tracker)
        if slot in form_slots and slot != "requested_slot"
    ]
    return [*undone, SlotSet("requested_slot", "help_description")]
