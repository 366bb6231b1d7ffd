"""An answer to the interrupted task's own step, given instead of a yes to going back.

A booking offered "Mon 7 Dec at 09:00; 09:40; 10:40. Which one?"; a bed question came in
between; then at "Shall we carry on booking for K.D.?" the user answers the booking's own
question: "9:40 please", "yes the second one". That is a yes to going back *and* the pick:
the task is put back as it was left (its step and what it offered) and the message is
read by that step, as if said before the interruption. Anything else at the offer is
answered as before (``actions.resume``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.state import RESUME, Turn, pending_intent, slots_before_turn

Events = list[dict[str, Any]]


def as_if_resumed(tracker: Tracker, restore: Events) -> Tracker:
    """``tracker`` as if ``restore`` had been set before the latest message."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    slots = dict(tracker.slots)
    for event in restore:
        if event.get("event") == "slot":
            slots[str(event["name"])] = event.get("value")
    return Tracker(
        tracker.sender_id,
        slots,
        tracker.latest_message,
        [*events[:last_user], *restore, *events[last_user:]],
        tracker.is_paused(),
        None,
        {},
        tracker.latest_action_name,
    )


def restored(tracker: Tracker) -> Events | None:
    """The events that put back a task that waited on a step (an offer, a confirmation)
    when "Shall we carry on ...?" is open; None otherwise."""
    before = slots_before_turn(tracker)
    stash = before.get("stash")
    if before.get("pending") != RESUME or not isinstance(stash, dict):
        return None
    kept, step = stash.get("slots"), stash.get("step")
    if not isinstance(kept, dict) or not isinstance(step, dict):
        return None
    if pending_intent(step.get("pending")) != stash.get("intent"):
        return None
    return [
        SlotSet("stash", None),
        SlotSet("misses", None),
        SlotSet("fallbacks", None),
        *(SlotSet(k, v) for k, v in kept.items()),
        SlotSet("pending", step["pending"]),
        SlotSet("offered", step.get("offered")),
    ]


async def answers_the_step(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, domain: dict[str, Any]
) -> Events | None:
    """The events when the message picks one of what the interrupted step offered; None
    when it does not (then it is the offer's answer, or something else)."""
    from actions.flow import ActionContinue, picks_an_offered_time

    restore = restored(tracker)
    if restore is None or turn.is_payload:
        return None
    view = as_if_resumed(tracker, restore)
    if not picks_an_offered_time(view, turn):
        return None
    return [*restore, *await ActionContinue().run(dispatcher, view, domain)]
