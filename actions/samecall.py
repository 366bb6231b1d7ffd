"""A task's action run in the same call as ``action_new_request`` (one hop fewer per turn).

After ``action_new_request`` the generated rules run the task's own action, then wait for
the user: for a task with no form that is two calls from Rasa to the action server, and
a prediction between them, for every question such as "how many free beds on 4B". Run
here, the task's action gets the tracker exactly as its own call would bring it - the
events ``action_new_request`` returned appended after its ``action`` event, the slots they
set, no form active - and its answer goes back with them, then Rasa waits for the user.
A task with a form is left to its rules (the form asks through Rasa).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.registry import guarded_actions
from intents.catalog import default_catalog

Events = list[dict[str, Any]]


def with_slots(
    tracker: Tracker,
    events: Events,
    *,
    this_turn: bool = False,
    loop: Any = None,
    latest_action: str | None = None,
) -> Tracker:
    """``tracker`` with the slots ``events`` set (and, ``this_turn``, the events added after
    the latest message, so the action reads them as given now)."""
    slots = dict(tracker.slots)
    for event in events:
        if event.get("event") == "slot":
            slots[str(event["name"])] = event.get("value")
    return Tracker(
        tracker.sender_id,
        slots,
        tracker.latest_message,
        [*tracker.events, *events] if this_turn else tracker.events,
        tracker.is_paused(),
        None,
        tracker.active_loop if loop is None else loop,
        latest_action or tracker.latest_action_name,
    )


async def answered_now(
    name: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    intent_name: str | None,
    events: Events,
    domain: dict[str, Any],
) -> Events:
    """``events`` (what the action ``name`` returns to start a new request for
    ``intent_name``), and - when the rules would run a task action with no form next - that
    action's answer too, then wait for the user."""
    intent = default_catalog().find(intent_name)
    action = guarded_actions().get(intent.name) if intent and not intent.form else None
    if intent is None or action is None or action.name() != intent.action:
        return events
    ran = ActionExecuted(name)
    asked = with_slots(tracker, [ran, *events], this_turn=True, loop={}, latest_action=name)
    answered = await action.run(dispatcher, asked, domain)
    if any(event.get("event") == "followup" for event in answered):
        return [*events, *answered]  # the action chose what comes next itself
    return [*events, *answered, FollowupAction("action_listen")]
