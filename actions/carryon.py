""" "ok carry on" while a form started by a digression asks its first question.

A booking asks the time; "hmm is there a porter free?" starts a porter request of its own
(the booking stashed, to be offered back when it is done); the user then says "ok carry
on" / "where were we" - back to the booking. It was "Sorry, I didn't get that" and the
porter's question again, then a miss of it for the booking's answer ("wednesday pm").
The digression is dropped (nothing was filed) and the stashed task goes on where it was.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.flow import asks_to_carry_on
from actions.resume import go_back, loop_of
from actions.state import Events, Turn, reset


def back_from_digression(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn
) -> Events | None:
    """The events that drop the form in progress and go back to the task it interrupted,
    when the message only asks to carry on; none (the form asks its question again, with
    no "Sorry, I didn't get that") when nothing was interrupted; None otherwise."""
    stash = tracker.get_slot("stash")
    loop = (tracker.active_loop or {}).get("name")
    if turn.is_payload or turn.entities or not asks_to_carry_on(turn.text):
        return None
    if not loop:
        # "ok carry on" after an emergency answer (which keeps the task in hand, asking
        # nothing): back to that task
        if not isinstance(stash, dict) or not stash.get("form") or stash.get("quiet"):
            return None
        back = go_back(dispatcher, tracker, turn, "affirm")
        return [*back, FollowupAction(loop_of(back) or "action_listen")]
    if not isinstance(stash, dict) or stash.get("quiet") or stash.get("form") in (None, loop):
        return []  # "ok carry on" while a booking asks the time: the time asked again
    back = go_back(dispatcher, tracker, turn, "affirm")
    return [*reset(), *back, FollowupAction(loop_of(back) or "action_listen")]
