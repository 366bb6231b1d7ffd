"""Conversation actions: role-tailored capabilities (from the catalog) and emergencies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ActionContext, GuardedAction, Outcome
from actions.services import get_services
from actions.state import RESUME, Turn, reset, slots_before_turn
from intents.catalog import default_catalog


class ActionAskCapabilities(GuardedAction):
    intent = "ask_capabilities"  # no permission: a verified identity (answers depend on role)
    activity = "Listing what I can do"

    async def perform(self, ctx: ActionContext) -> Outcome:
        granted = ctx.services.policy.permissions_for(ctx.staff.roles)
        things = list(
            dict.fromkeys(
                i.capability
                for i in default_catalog().tasks()
                if i.capability and i.permission in granted
            )
        )
        roles = ctx.services.policy.roles
        names = [roles[r].description if r in roles else r for r in sorted(ctx.staff.roles)]
        who = " and ".join(n[:1].lower() + n[1:] for n in names) or "a member of staff"
        ctx.say(
            f"You're signed in as {who}. You can ask me to: " + "; ".join(things) + ". "
            "In an emergency, call "
            f"{ctx.services.settings.emergency_number}.",
            kind="ask_capabilities_success",
            data={"permissions": sorted(granted)},
        )
        return Outcome()


# NLU alone reads an emergency this weakly and the gateway's safety net (the dedicated
# detector) checked the message and found none: a doubt ("reschedule a patient",
# "no, leave the patient where they are"). The caution gives the number and the
# conversation carries on. Emergency examples are recognised far above this (held-out
# NLU emergencies: lowest 0.89).
DOUBT = 0.65
DOUBT_TASK = 0.15  # the task the message more likely is, served after the caution


class ActionEmergency(Action):
    """Answer at once with the emergency number; leaves any form. No lookup, no delay.
    A doubt (``DOUBT``) gets the caution instead, and the message is served as what it
    more likely is: the answer to the offer to go back, or a task."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            number = get_services().settings.emergency_number
        except Exception:  # the number must be given even if nothing else works
            number = "2222"
        turn = Turn.of(tracker)
        if turn.safety == "none" and not turn.is_payload and turn.confidence < DOUBT:
            if names_a_help_job(turn):  # "commode needs emptying": a job, no caution
                return carry_on(dispatcher, tracker, turn)
            from actions.amend import amendment

            amend = amendment(tracker, turn)
            if amend is not None:  # "no rush actually, theyre not ready" right after filing
                changed = await amend.run(dispatcher, tracker, domain)
                return [*changed, FollowupAction("action_listen")]
            dispatcher.utter_message(
                text=f"If this is an emergency, call {number} now.",
                json_message={
                    "phi": False,
                    "kind": "emergency_caution",
                    "data": {"number": number},
                },
            )
            return carry_on(dispatcher, tracker, turn)
        dispatcher.utter_message(
            text=f"This is an emergency: call {number} now. I can't raise emergency calls myself.",
            json_message={"phi": False, "kind": "emergency_answer", "data": {"number": number}},
        )
        try:  # the task in hand is kept quietly: "ok carry on" afterwards goes back to it
            from actions.flow import fresh_start

            return fresh_start(tracker, "emergency")
        except Exception:  # the answer above stands whatever happens here
            return reset()


def carry_on(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn
) -> list[dict[str, Any]]:
    """After a caution: a no/yes to the offer to go back is that answer; a task the message
    more likely is is served; otherwise the conversation stays as it was."""
    from actions.flow import take_as
    from actions.resume import go_back, loop_of, polarity

    if slots_before_turn(tracker).get("pending") == RESUME and polarity(turn.text):
        events = go_back(dispatcher, tracker, turn, polarity(turn.text))
        return [*events, FollowupAction(loop_of(events) or "action_listen")]
    if names_a_help_job(turn):
        return take_as(tracker, "request_help")
    catalog = default_catalog()
    for item in turn.ranking:
        intent = catalog.find(item.get("name"))
        if intent is None or intent.name == "emergency" or not intent.is_task:
            continue
        if float(item.get("confidence") or 0) >= DOUBT_TASK:
            return take_as(tracker, intent.name)
        break
    form = (tracker.active_loop or {}).get("name")
    return [FollowupAction(form)] if form else [FollowupAction("action_listen")]


def names_a_help_job(turn: Turn) -> bool:
    """A statement that names the kind of help it needs ("commode needs emptying", "the
    door won't lock"): NLU's weak emergency reading of it, which the gateway's safety net
    checked and cleared, is a help request, not a doubt."""
    from actions.help import infer_help_type

    return not turn.text.rstrip().endswith("?") and infer_help_type(turn.text) is not None


class ActionGreet(Action):
    """A greeting; "hold on" (NLU: a greeting) is a wait: nothing open is dropped."""

    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from actions.freetext import say_take_your_time, waits

        if waits(Turn.of(tracker)):
            say_take_your_time(dispatcher, tracker.get_slot("requested_slot"))
        else:
            dispatcher.utter_message(response="utter_greet_answer")
        return []


class ActionThank(Action):
    """Thanks. Right after "Shall we carry on ...?", "that's all, thanks" / "I'm done,
    thanks" is a no to it (the task is dropped); plain thanks leaves the offer open."""

    def name(self) -> str:
        return "action_thank"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from actions.resume import go_back, polarity

        turn = Turn.of(tracker)
        if tracker.get_slot("pending") == RESUME and polarity(turn.text) == "deny":
            return go_back(dispatcher, tracker, turn, "deny")
        from actions.fallback import as_a_job_step

        job = await as_a_job_step(dispatcher, tracker, turn, domain)
        if job is not None:  # "take the top one" right after a job list (NLU: thanks)
            return job
        dispatcher.utter_message(response="utter_thank_answer")
        return []
