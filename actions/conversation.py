"""Conversation actions: role-tailored capabilities (from the catalog) and emergencies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import ActionContext, GuardedAction, Outcome
from actions.services import get_services
from actions.state import reset
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
        return reset()
