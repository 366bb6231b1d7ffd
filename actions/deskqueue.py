"""The help desk's own queue in chat: which handoff tickets (HD-...) are waiting.

A help-desk agent (``handoff:claim``) asking "any tickets waiting?", "what's in the queue",
"show open handoffs" or "show me HD-000007" is asking about the queue, not for help: NLU
reads those words as several intents (``check_request_status``, ``talk_to_human``,
``list_my_jobs``, ``update_help_task``, ``ask_capabilities``), so ``desk_question`` is asked
by ``GuardedAction`` before any of them runs, and runs ``ActionHandoffQueue`` instead (its
own permission check, ``handoff:claim``, and audit event). A help-desk agent asking for a
person in other words ("get me a person") opens a ticket as anyone does: they may want a
colleague or a supervisor.

The list is the minimum necessary: ticket id, status, who claimed it, the requester's
channel and how long it has waited; never the requester, the summary or any message text
(which may hold patient data). Tickets are claimed in the Slack help-desk channel.
Staff without ``handoff:claim`` are never redirected here.
"""

from __future__ import annotations

import inspect
import re
from datetime import datetime
from typing import Any, ClassVar

from rasa_sdk import Tracker

from actions.base import ActionContext, GuardedAction, Outcome
from actions.services import Services
from assistant.hms.models import Staff

PERMISSION = "handoff:claim"
# the intents NLU gives the queue questions of a help-desk agent
ASKED_AS = frozenset(
    {
        "check_request_status",
        "talk_to_human",
        "list_my_jobs",
        "update_help_task",
        "ask_capabilities",
        "list_bed_watches",
    }
)
LISTED = 10
CLAIM_WHERE = "Claim them in the Slack help-desk channel."

_HD_ID = re.compile(r"\bHD[\s#:-]*(\d{1,6})\b", re.I)
_QUEUE = re.compile(
    r"\b(?:queue|hand[\s-]?offs?|help[\s-]?desk\s+tickets?|"
    r"(?:anyone|anybody|who(?:'s|\s+is)?)\s+(?:still\s+)?waiting)\b",
    re.I,
)
_TICKETS = re.compile(r"\btickets?\b", re.I)
# words that make "tickets" help requests (HR-..., read through check_request_status)
_HELP_REQUEST = re.compile(
    r"\b(?:HR[\s#:-]*\d+|(?:ticket|request|job)\s*#?\d+|my|porters?|(?-i:IT)|housekeeping|"
    r"cleaners?|cleaning|maintenance|estates|requests?|jobs?)\b",
    re.I,
)


def typed(tracker: Tracker) -> str:
    """The message as typed or spoken ('' for a button payload)."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if text.lstrip().startswith("/") else text


def handoff_ids(text: str) -> list[str]:
    """The handoff tickets the words name: 'HD-000007', 'hd 7' -> ['HD-000007']."""
    return [f"HD-{int(m.group(1)):06d}" for m in _HD_ID.finditer(text)]


def asks_queue(text: str) -> bool:
    """'any tickets waiting?', 'help desk tickets open?', "what's in the queue", 'show
    open handoffs', 'show me HD-000007': the help-desk queue, not a help request."""
    if handoff_ids(text) or _QUEUE.search(text):
        return True
    return bool(_TICKETS.search(text)) and not _HELP_REQUEST.search(text)


def desk_question(
    action: GuardedAction, services: Services, staff: Staff, tracker: Tracker
) -> GuardedAction | None:
    """The queue action when a help-desk agent's words (read as ``action``'s intent) ask
    about the handoff queue; None otherwise (and always for staff without handoff:claim)."""
    if isinstance(action, ActionHandoffQueue) or action.intent not in ASKED_AS:
        return None
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent != action.intent:  # a form submitted, not this message's task
        return None
    if not services.policy.allows(staff.roles, PERMISSION):
        return None
    return ActionHandoffQueue() if asks_queue(typed(tracker)) else None


def waited(since: datetime, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60))


def how_long(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def ticket_facts(ticket: Any, now: datetime) -> dict[str, Any]:
    """What the queue shows of a ticket (no requester, summary or message text)."""
    facts: dict[str, Any] = {
        "ticket_id": ticket.ticket_id,
        "status": ticket.status,
        "channel": ticket.channel,
        "waiting_minutes": waited(ticket.created_at, now),
    }
    if ticket.claimer:
        facts["claimed_by"] = ticket.claimer
    return facts


# how staff name the channels a ticket came in on (the internal names are "rest", ...)
CHANNEL_WORDS = {"rest": "web chat", "slack": "Slack", "kiosk": "ward kiosk"}


def channel_words(channel: str) -> str:
    return CHANNEL_WORDS.get(channel, channel)


def ticket_line(facts: dict[str, Any]) -> str:
    who = f"claimed by {facts['claimed_by']}" if facts.get("claimed_by") else facts["status"]
    return (
        f"{facts['ticket_id']} {who}, via {channel_words(facts['channel'])}, "
        f"waiting {how_long(facts['waiting_minutes'])}"
    )


async def _call(method: Any, *args: Any) -> Any:
    result = method(*args)
    return await result if inspect.isawaitable(result) else result


class ActionHandoffQueue(GuardedAction):
    """The open and claimed handoff tickets, or one ticket's state (see the module doc)."""

    intent = "check_request_status"  # a read-only status question
    activity = "Seeing the help-desk queue"
    serves_intent: ClassVar[bool] = False  # only reached through desk_question / instead

    def name(self) -> str:
        return "action_handoff_queue"

    @property
    def permission(self) -> str | None:
        return PERMISSION

    async def perform(self, ctx: ActionContext) -> Outcome:
        store = ctx.services.tickets
        if store is None or not callable(getattr(store, "open_tickets", None)):
            ctx.say(
                "I can't read the help-desk queue from here right now. "
                "Please check the Slack help-desk channel.",
                kind="handoff_queue_unavailable",
            )
            return Outcome("error", reason="no_ticket_store")
        said = f"{ctx.text('ticket_id') or ''} {typed(ctx.tracker)}"
        ids = handoff_ids(said)
        if ids:
            return await self._one(ctx, store, ids[0])
        tickets = await _call(store.open_tickets)
        facts = [ticket_facts(t, ctx.now) for t in tickets]
        facts.sort(key=lambda f: (f["status"] != "open", -f["waiting_minutes"]))
        data = {"tickets": facts[:LISTED], "total": len(facts)}
        if not facts:
            ctx.say("No help-desk tickets are waiting.", kind="handoff_queue_none", data=data)
            return Outcome(resource="Ticket", detail="0 active")
        waiting = sum(1 for f in facts if f["status"] == "open")
        more = f"; and {len(facts) - LISTED} more" if len(facts) > LISTED else ""
        ctx.say(
            f"Help-desk tickets: {waiting} waiting to be claimed, "
            f"{len(facts) - waiting} claimed. "
            + "; ".join(ticket_line(f) for f in facts[:LISTED])
            + f"{more}. {CLAIM_WHERE}",
            kind="handoff_queue_success",
            data=data,
        )
        return Outcome(resource="Ticket", detail=f"{len(facts)} active")

    async def _one(self, ctx: ActionContext, store: Any, ticket_id: str) -> Outcome:
        try:
            ticket = await _call(store.get, ticket_id)
        except Exception:  # TicketNotFound
            ctx.say(
                "I couldn't find that help-desk ticket.",
                kind="unknown_ticket",
                data={"value": ticket_id, "suggestions": []},
            )
            return Outcome("not_found", resource="Ticket")
        facts = ticket_facts(ticket, ctx.now)
        if ticket.status in ("open", "claimed"):
            where = " " + CLAIM_WHERE.replace("them", "it") if ticket.status == "open" else ""
            text = f"{ticket_line(facts)}.{where}"
        else:
            text = f"{ticket.ticket_id} is {ticket.status} (via {channel_words(ticket.channel)})."
        ctx.say(text, kind="handoff_queue_ticket", data=facts)
        return Outcome(resource=f"Ticket/{ticket.ticket_id}")
