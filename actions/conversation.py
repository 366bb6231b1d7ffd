"""Conversation actions: role-tailored capabilities, emergencies, and stopping a task."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ActionContext, GuardedAction, Outcome
from actions.services import get_services

CAPABILITIES = {
    "appointments:book": "book, move or cancel outpatient appointments",
    "appointments:read": "list a patient's appointments",
    "beds:read": "find free beds by ward or bed type",
    "beds:update": "change a bed's status (free, needs cleaning, closed...)",
    "patients:locate": "find which ward and bed a patient is in",
    "help:request": "ask for a porter, IT, housekeeping or maintenance",
    "help:read": "check on your help requests",
    "handoff:request": "put you through to the help desk",
}
# slots a task may have filled; cleared when the user stops or an emergency interrupts
TASK_SLOTS = (
    "patient_name",
    "mrn",
    "department",
    "clinician",
    "time",
    "ward",
    "bed",
    "bed_type",
    "bed_status",
    "help_type",
    "urgency",
    "ticket_id",
    "help_description",
    "slot_id",
    "appointment_id",
    "pending",
    "offer_after",
    "requested_slot",
    "breakglass_patient",
)


def _reset() -> list[dict[str, Any]]:
    return [ActiveLoop(None), *(SlotSet(name, None) for name in TASK_SLOTS)]


class ActionAskCapabilities(GuardedAction):
    intent = "ask_capabilities"
    permission = None  # needs a verified identity (the answer depends on the role) only
    activity = "Listing what I can do"

    async def perform(self, ctx: ActionContext) -> Outcome:
        granted = ctx.services.policy.permissions_for(ctx.staff.roles)
        things = [text for perm, text in CAPABILITIES.items() if perm in granted]
        role = " and ".join(sorted(ctx.staff.roles)) or "staff member"
        article = "an" if role[:1] in "aeiou" else "a"
        ctx.say(
            f"As {article} {role} you can ask me to: " + "; ".join(things) + ". "
            "In an emergency, call "
            f"{ctx.services.settings.emergency_number}.",
            kind="ask_capabilities_success",
            data={"permissions": sorted(granted)},
        )
        return Outcome()


class ActionEmergency(Action):
    """Answer at once with the emergency number; leaves any form. No lookup, no delay."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            number = get_services().settings.emergency_number
        except Exception:  # the number must be given even if nothing else works
            number = "2222"
        dispatcher.utter_message(
            text=f"This is an emergency: call {number} now. I can't raise emergency calls myself.",
            json_message={"phi": False, "kind": "emergency_answer", "data": {"number": number}},
        )
        return _reset()


class ActionStop(Action):
    """Abandon whatever task is in progress."""

    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_stop_ok")
        return _reset()


# what a member of staff would call each intent, for the clarifying question's buttons
INTENT_LABELS = {
    "book_appointment": "Book an appointment",
    "cancel_appointment": "Cancel an appointment",
    "reschedule_appointment": "Move an appointment",
    "list_appointments": "List appointments",
    "check_bed_availability": "Find a free bed",
    "update_bed_status": "Change a bed's status",
    "request_help": "Ask for help (porter, IT...)",
    "check_request_status": "Check a help request",
    "find_patient": "Find a patient",
    "talk_to_human": "Talk to the help desk",
    "emergency": "Report an emergency",
    "ask_capabilities": "What can you do?",
    "greet": "Just saying hello",
    "thank": "Just saying thanks",
    "goodbye": "Goodbye",
    "affirm": "Yes",
    "deny": "No",
    "stop": "Stop what we're doing",
}


class ActionAskAffirmation(Action):
    """The clarifying question of the two-stage fallback: the top two intents as buttons.

    Replaces Rasa's default, which shows raw intent names ("Did you mean 'inform'?").
    Conversation-only intents such as ``inform`` and ``out_of_scope`` are not offered.
    """

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        names = [item.get("name") for item in ranking]
        offered = [name for name in names if name in INTENT_LABELS][:2]
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in offered]
        buttons.append({"title": "Something else", "payload": "/out_of_scope"})
        dispatcher.utter_message(
            text="Sorry, I'm not sure what you need. Did you mean one of these?",
            buttons=buttons,
            json_message={"phi": False, "kind": "nlu_fallback_clarify", "data": {}},
        )
        return []
