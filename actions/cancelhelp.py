"""Withdrawing one's own help request: "cancel my porter request", "don't need HR-12 any
more", "cancel ticket 12".

Only the person who asked may cancel (the HMS Task's requester); the task's status
becomes ``cancelled`` through ``update_task``. A ticket id picks the request; without one,
the user's open requests (of the kind named, if any) are looked at: exactly one is
cancelled, several are offered as buttons (the press is the choice), none is said. Right
after filing a request, "cancel that" means the request just filed.

No confirmation step: staff say "cancel" on purpose, the answer names exactly what was
cancelled, and a request cancelled by mistake is asked for again in one message; a
question back would cost every cancel a turn to save a rare slip.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.amend import filed_request
from actions.base import ActionContext, GuardedAction, Outcome
from actions.flow import ActionStop
from actions.help import HELP_NAMES, ActionCheckRequestStatus
from actions.helptasks import (
    CLOSED_WORDS,
    OPEN,
    asks_status,
    described_by,
    facts,
    find_task,
    help_type_said,
    line,
    place_ids,
    places,
    ticket_ids,
    typed_text,
    what_for,
)
from actions.jobs import a_job_given_back
from actions.services import Services
from actions.shownrequests import request_to_cancel
from actions.state import slots_before_turn
from assistant.hms.errors import NotFound
from assistant.hms.models import HelpTask, Staff

MAX_CHOICES = 5
_NAMES_ONE = re.compile(
    r"\b(?:[Hh][Rr]|[Tt]icket|[Pp]orters?|IT|[Hh]ousekeeping|[Cc]leaners?|[Mm]aintenance)\b"
)  # "IT" in capitals only: "cancel it" names nothing


def stops_the_task_in_hand(tracker: Tracker) -> bool:
    """'cancel this request', 'cancel, I don't need it' while a form or a choice waits (a
    task was in hand before this message) and naming no request of its own: a stop."""
    before = slots_before_turn(tracker)
    busy = (tracker.active_loop or {}).get("name") or tracker.get_slot("stash")
    busy = busy or before.get("pending") or before.get("stash")
    text = str(tracker.latest_message.get("text") or "")
    named = text.lstrip().startswith("/") or _NAMES_ONE.search(text)
    return bool(busy) and not named and not tracker.get_slot("ticket_id")


class ActionCancelHelpRequest(GuardedAction):
    intent = "cancel_help_request"
    activity = "Cancelling your help request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if stops_the_task_in_hand(tracker):  # "cancel this request" while a form asks
            return await ActionStop().run(dispatcher, tracker, domain)
        return await super().run(dispatcher, tracker, domain)

    def instead(self, services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
        # "where is the porter I asked for?", "did maintenance fix it yet": its status;
        # "drop HR-12, someone else can do it" from a porter: the job given back
        given_back = a_job_given_back(services, staff, tracker)
        if given_back is not None:
            return given_back
        return ActionCheckRequestStatus() if asks_status(tracker) else None

    async def perform(self, ctx: ActionContext) -> Outcome:
        ids = ticket_ids(ctx)
        wanted = help_type_said(ctx)
        filed = filed_request(ctx.tracker)  # "cancel that" right after filing one
        kind = ((filed or {}).get("slots") or {}).get("help_type")
        if not ids and filed and wanted in (None, kind):
            ids = [str(filed["ticket"])]
        shown = request_to_cancel(ctx.tracker, str(ctx.tracker.latest_message.get("text") or ""))
        if not ids and shown:  # "cancel that request" right after its status was shown
            ids = [shown]
        if ids:
            task = await find_task(ctx, ids)
            if task is None:  # said so
                return Outcome("not_found", resource="Task")
            return await self._cancel(ctx, task)
        mine = await ctx.hms.list_tasks(requester_username=ctx.staff.username, status=OPEN)
        mine = [t for t in mine if wanted is None or t.help_type == wanted]
        try:
            there = await place_ids(ctx)  # "cancel the porter for bed 6 on ICU"
        except NotFound:
            there = None
        if there is not None and len(mine) > 1:
            mine = [t for t in mine if t.location_id in there] or mine
        if len(mine) > 1:  # "cancel the MRI porter": the one its description names
            mine = described_by(mine, typed_text(ctx.tracker)) or mine
        what = f"{HELP_NAMES.get(wanted, wanted)} requests" if wanted else "help requests"
        if not mine:
            ctx.say(
                f"You have no open {what} to cancel.",
                kind="cancel_help_request_none",
                data={"help_type": wanted},
            )
            return Outcome(resource="Task", detail="none open")
        if len(mine) == 1:
            return await self._cancel(ctx, mine[0])
        newest = sorted(mine, key=lambda t: t.ticket_id or "", reverse=True)[:MAX_CHOICES]
        names = await places(ctx, newest)
        ctx.say(
            f"You have {len(mine)} open {what}. Which one shall I cancel?",
            kind="cancel_help_request_which",
            data={"tasks": [facts(t, names) for t in newest]},
            buttons=[
                {
                    "title": line(t, names) + what_for(t),
                    "payload": f'/cancel_help_request{{"ticket_id":"{t.ticket_id}"}}',
                }
                for t in newest
            ],
        )
        return Outcome(resource="Task", detail=f"{len(mine)} open, asked which")

    async def _cancel(self, ctx: ActionContext, task: HelpTask) -> Outcome:
        ticket = task.ticket_id or ""
        resource = f"Task/{task.id}"
        if task.requester != ctx.staff.username:  # only one's own request
            ctx.say(
                f"{ticket} is not one of your requests. Only the person who asked can cancel it.",
                kind="cancel_help_request_denied",
                data={"ticket_id": ticket},
            )
            return Outcome("denied", reason="not_requester", resource=resource)
        if task.status in CLOSED_WORDS:
            ctx.say(
                f"{ticket} is already {CLOSED_WORDS[task.status]}, so there is nothing to cancel.",
                kind="cancel_help_request_closed",
                data={"ticket_id": ticket, "status": task.status},
            )
            return Outcome(resource=resource, detail=f"already {task.status}")
        done = await ctx.hms.update_task(
            ticket, status="cancelled", business_status="withdrawn by the requester"
        )
        names = await places(ctx, [done])
        taken = f" {task.owner} had taken it; they will see it is cancelled." if task.owner else ""
        ctx.say(
            f"Cancelled {line(done, names)}.{taken}",
            kind="cancel_help_request_success",
            data=facts(done, names),
        )
        events: tuple[SlotSet, ...] = ()
        if (filed_request(ctx.tracker) or {}).get("ticket") == ticket:
            events = (SlotSet("last_task", None),)  # nothing left to amend
        return Outcome(resource=resource, detail=f"{task.status}->cancelled", events=events)
