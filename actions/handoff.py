"""talk_to_human: open a help-desk ticket carrying the conversation so far."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

from rasa_sdk.events import ActiveLoop, SlotSet

from actions.base import ActionContext, GuardedAction, Outcome

TRANSCRIPT_LIMIT = 50


def transcript(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """User and bot turns from the tracker (the current session), oldest first."""
    turns = []
    for event in events:
        if event.get("event") not in ("user", "bot") or not event.get("text"):
            continue
        stamp = event.get("timestamp")
        turns.append(
            {
                "role": event["event"],  # user | bot, as TicketStore expects
                "text": event["text"],
                "at": datetime.fromtimestamp(stamp, UTC).isoformat() if stamp else None,
                "intent": (event.get("parse_data") or {}).get("intent", {}).get("name"),
            }
        )
    return turns[-TRANSCRIPT_LIMIT:]


class ActionTalkToHuman(GuardedAction):
    intent = "talk_to_human"
    activity = "Contacting the help desk"

    async def perform(self, ctx: ActionContext) -> Outcome:
        store = ctx.services.tickets
        if store is None:
            ctx.say(
                "I can't reach the help desk from here right now. Please phone them.",
                kind="talk_to_human_unavailable",
            )
            return Outcome("error", events=(ActiveLoop(None),), reason="no_ticket_store")
        turns = transcript(list(ctx.tracker.events))
        intents = [t["intent"] for t in turns if t["intent"]]
        summary = {
            "last_task": next((i for i in reversed(intents) if i != "talk_to_human"), None),
            "active_form": (ctx.tracker.active_loop or {}).get("name"),
            "role": ctx.role,
            "turns": len(turns),
        }
        ticket = store.open_ticket(
            requester=ctx.staff.username,
            channel=ctx.principal.channel,
            conversation_id=ctx.tracker.sender_id,
            reason="user_request",
            summary=summary,
            transcript=turns,
        )
        if inspect.isawaitable(ticket):
            ticket = await ticket
        ctx.say(
            f"I've asked the help desk to join: your ticket is {ticket.ticket_id}. "
            "Someone will reply here shortly.",
            kind="talk_to_human_success",
            data={"ticket_id": ticket.ticket_id},
        )
        # the help desk takes over: leave any half-filled form
        return Outcome(
            events=(ActiveLoop(None), SlotSet("requested_slot", None)),
            resource=f"Ticket/{ticket.ticket_id}",
        )
