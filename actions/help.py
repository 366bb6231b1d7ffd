"""Help requests (HMS Task): ask for a porter, IT, housekeeping or maintenance; check status."""

from __future__ import annotations

from actions.base import HELP_DESK_BUTTON, UNAVAILABLE, ActionContext, GuardedAction, Outcome
from actions.beds import bed_number
from actions.scheduling import clear
from assistant.hms.errors import Unavailable
from assistant.hms.models import HelpTask

HELP_TYPES = {
    "porter": "porter",
    "porters": "porter",
    "transport": "porter",
    "wheelchair": "porter",
    "trolley": "porter",
    "it": "it",
    "computer": "it",
    "printer": "it",
    "login": "it",
    "password": "it",
    "housekeeping": "housekeeping",
    "cleaning": "housekeeping",
    "cleaner": "housekeeping",
    "spill": "housekeeping",
    "maintenance": "maintenance",
    "repair": "maintenance",
    "broken": "maintenance",
    "estates": "maintenance",
    "other": "other",
}
URGENCY = {
    "routine": "routine",
    "not urgent": "routine",
    "whenever": "routine",
    "low": "routine",
    "normal": "routine",
    "urgent": "urgent",
    "soon": "urgent",
    "high": "urgent",
    "asap": "asap",
    "as soon as possible": "asap",
    "quickly": "asap",
    "stat": "stat",
    "immediately": "stat",
    "right now": "stat",
    "now": "stat",
}
FORM_SLOTS = ("help_type", "ward", "bed", "urgency", "help_description")
READ_ALL = "help:read_all"  # the help desk may read anyone's request


def help_type_code(text: str | None) -> str | None:
    return HELP_TYPES.get(" ".join((text or "").lower().split()))


def priority_code(text: str | None) -> str | None:
    return URGENCY.get(" ".join((text or "").lower().split()))


def task_data(task: HelpTask) -> dict[str, object]:
    return {
        "ticket_id": task.ticket_id,
        "help_type": task.help_type,
        "status": task.status,
        "priority": task.priority,
        "owner": task.owner,
        "business_status": task.business_status,
    }


def task_line(task: HelpTask) -> str:
    owner = f", taken by {task.owner}" if task.owner else ""
    note = f" ({task.business_status})" if task.business_status else ""
    return f"{task.ticket_id} {task.help_type or 'help'}: {task.status}{owner}{note}"


class ActionRequestHelp(GuardedAction):
    intent = "request_help"
    permission = "help:request"
    activity = "Requesting help"

    async def perform(self, ctx: ActionContext) -> Outcome:
        events = tuple(clear(*FORM_SLOTS))
        help_type = help_type_code(ctx.text("help_type")) or "other"
        priority = priority_code(ctx.text("urgency")) or "routine"
        ward_hint, number = bed_number(ctx.text("bed"))
        ward_text = ctx.text("ward") or ward_hint
        try:
            location_id = None
            if ward_text:
                ward = await ctx.hms.get_ward(ward_text)
                location_id = ward.id
                if number:
                    location_id = (await ctx.hms.get_bed(ward.code, number)).id
            task = await ctx.hms.create_task(
                help_type,
                location_id,
                priority,
                ctx.text("help_description") or "",
                ctx.staff.username,
            )
        except Unavailable:
            # the kiosk queues these slots (encrypted) and replays them through this
            # same guarded action when the HMS is back (assistant.channels.kiosk.guard)
            slots = {
                "help_type": help_type,
                "ward": ward_text,
                "bed": ctx.text("bed"),
                "urgency": priority,
                "help_description": ctx.text("help_description"),
            }
            ctx.say(
                UNAVAILABLE,
                kind="request_help_unavailable",
                data={"queue": slots},
                buttons=[HELP_DESK_BUTTON],
            )
            return Outcome("error", events=events, reason="hms_unavailable")
        ctx.say(
            f"Done: your {help_type} request is {task.ticket_id} ({priority}). "
            "Ask me 'status of my requests' any time.",
            kind="request_help_success",
            data=task_data(task),
        )
        return Outcome(events=events, resource=f"Task/{task.id}", detail=f"{help_type}/{priority}")


class ActionCheckRequestStatus(GuardedAction):
    intent = "check_request_status"
    permission = "help:read"
    activity = "Checking help requests"

    async def perform(self, ctx: ActionContext) -> Outcome:
        events = tuple(clear("ticket_id"))
        ticket = (ctx.text("ticket_id") or "").upper().replace(" ", "")
        if ticket:
            task = await ctx.hms.get_task(ticket)
            if task.requester != ctx.staff.username and not ctx.services.policy.allows(
                ctx.staff.roles, READ_ALL
            ):  # someone else's request: say no more than that it is not theirs
                ctx.say(
                    f"{ticket} is not one of your requests. Only the person who asked, or the "
                    "help desk, can see its status.",
                    kind="check_request_status_denied",
                )
                return Outcome("denied", events=events, reason="not_requester")
            ctx.say(
                f"{task_line(task)}.", kind="check_request_status_success", data=task_data(task)
            )
            return Outcome(events=events, resource=f"Task/{task.id}")
        tasks = await ctx.hms.list_tasks(requester_username=ctx.staff.username)
        if not tasks:
            ctx.say("You have no help requests.", kind="check_request_status_none")
            return Outcome(events=events, resource="Task")
        recent = sorted(tasks, key=lambda t: t.ticket_id or "", reverse=True)[:5]
        ctx.say(
            "Your requests: " + "; ".join(task_line(t) for t in recent) + ".",
            kind="check_request_status_success",
            data={"tasks": [task_data(t) for t in recent]},
        )
        return Outcome(events=events, resource="Task")
