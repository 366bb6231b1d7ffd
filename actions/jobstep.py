"""One job taken a step: taken (owner = the user, ``accepted``), done (``completed``), or
given back (nobody's, ``requested`` again, for another to take). Only a job of a kind the
user's role does; a job someone else holds is theirs; only its holder may give it back."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rasa_sdk import Tracker

from actions.base import ActionContext, Outcome, permitted_tasks
from actions.help import HELP_NAMES
from actions.helptasks import CLOSED_WORDS, facts, line, places
from assistant.hms.models import HelpTask

QUEUED = "requested"  # the status of a job nobody has taken (as filed)


async def does_jobs(tracker: Tracker) -> bool:
    """The verified user takes help jobs (a porter, housekeeping)."""
    return "update_help_task" in (await permitted_tasks(tracker) or frozenset())


def names_of(types: list[str]) -> str:
    return " and ".join(HELP_NAMES.get(t, t) for t in types)


def payload(task: HelpTask) -> str:
    return f'/update_help_task{{"ticket_id":"{task.ticket_id}"}}'


async def step(ctx: ActionContext, task: HelpTask, verb: str | None, types: list[str]) -> Outcome:
    """Take ``task`` the step ``verb`` says (None: the next one - nobody's -> taken, the
    user's -> done), saying what happened."""
    ticket, me = task.ticket_id or "", ctx.staff.username
    resource = f"Task/{task.id}"
    names = await places(ctx, [task])
    if task.help_type not in types:
        ctx.say(
            f"{ticket} is not a {names_of(types)} job, so it isn't yours to update.",
            kind="update_help_task_denied",
            data={"ticket_id": ticket, "help_type": task.help_type},
        )
        return Outcome("denied", reason="not_handled", resource=resource)
    if task.status in CLOSED_WORDS:
        ctx.say(
            f"{ticket} is already {CLOSED_WORDS[task.status]}.",
            kind="update_help_task_closed",
            data={"ticket_id": ticket, "status": task.status},
        )
        return Outcome(resource=resource, detail=f"already {task.status}")
    if task.owner not in (None, me):
        but = ", so it isn't yours to give back" if verb == "release" else ""
        ctx.say(
            f"{ticket} has been taken by {task.owner}{but}.",
            kind="update_help_task_taken",
            data={"ticket_id": ticket, "owner": task.owner},
        )
        return Outcome("refused", reason="taken", resource=resource)
    if verb == "release":
        return await _give_back(ctx, task, names)
    if verb is None:
        verb = "done" if task.owner == me else "take"
    if verb == "take" and task.owner == me:
        ctx.say(
            f"{line(task, names)} is already yours. Say 'done with {ticket}' when finished.",
            kind="update_help_task_claimed",
            data=facts(task, names),
            buttons=[{"title": f"Done {ticket}", "payload": payload(task)}],
        )
        return Outcome(resource=resource, detail="already mine")
    if verb == "take":
        taken = await ctx.hms.update_task(ticket, status="accepted", owner_username=me)
        ctx.say(
            f"{line(taken, names)} is yours. Say 'done with {ticket}' when finished.",
            kind="update_help_task_claimed",
            data=facts(taken, names),
            buttons=[{"title": f"Done {ticket}", "payload": payload(taken)}],
        )
        return Outcome(resource=resource, detail=f"{task.status}->accepted")
    finished = await ctx.hms.update_task(ticket, status="completed", owner_username=me)
    ctx.say(
        f"Marked {line(finished, names)} as done.",
        kind="update_help_task_completed",
        data=facts(finished, names),
    )
    return Outcome(resource=resource, detail=f"{task.status}->completed")


async def _give_back(ctx: ActionContext, task: HelpTask, names: dict[str, str]) -> Outcome:
    ticket, resource = task.ticket_id or "", f"Task/{task.id}"
    if task.owner is None:  # nobody's: nothing to give back
        ctx.say(
            f"{ticket} isn't yours: nobody has taken it, so it is still in the queue.",
            kind="update_help_task_not_yours",
            data={"ticket_id": ticket, "owner": None, "status": task.status},
            buttons=[{"title": f"Take {ticket}", "payload": payload(task)}],
        )
        return Outcome("refused", reason="not_held", resource=resource)
    back = await ctx.hms.update_task(ticket, status=QUEUED, clear_owner=True)
    ctx.say(
        f"OK, {ticket} is back in the queue for another porter."
        if task.help_type == "porter"
        else f"OK, {ticket} is back in the queue for someone else to take.",
        kind="update_help_task_released",
        data=facts(back, names),
    )
    return Outcome(resource=resource, detail=f"{task.status}->{QUEUED}, released")


async def details(ctx: ActionContext, task: HelpTask, types: list[str]) -> Outcome:
    """ "details of HR-12", "tell me more about HR-12": the job as it stands - kind, place,
    priority, status, who has it, when it was asked for - and nothing changed. Never the
    free-text description (as in the job list: it may say what a patient is moved for)."""
    ticket, me = task.ticket_id or "", ctx.staff.username
    if task.help_type not in types:
        ctx.say(
            f"{ticket} is not a {names_of(types)} job.",
            kind="update_help_task_denied",
            data={"ticket_id": ticket, "help_type": task.help_type},
        )
        return Outcome("denied", reason="not_handled", resource=f"Task/{task.id}")
    names = await places(ctx, [task])
    if task.status in CLOSED_WORDS:
        state = CLOSED_WORDS[task.status]
    elif task.owner is not None:
        state = "taken by you" if task.owner == me else f"taken by {task.owner}"
    else:
        state = "waiting, nobody has taken it yet"
    asked = ""
    if task.authored is not None:
        local = task.authored.astimezone(ZoneInfo(ctx.services.settings.hospital_tz))
        asked = f" Asked for at {local:%H:%M} on {local:%a} {local.day} {local:%b}."
    buttons = []
    if task.status not in CLOSED_WORDS and task.owner in (None, me):
        title = f"Done {ticket}" if task.owner == me else f"Take {ticket}"
        buttons = [{"title": title, "payload": payload(task)}]
    ctx.say(
        f"{line(task, names)}: {state}.{asked}",
        kind="update_help_task_details",
        data=facts(task, names),
        buttons=buttons or None,
    )
    return Outcome(resource=f"Task/{task.id}", detail="details, nothing changed")


async def swap(ctx: ActionContext, wrong: str, meant: str, types: list[str]) -> Outcome:
    """ "wrong one, I meant HR-3" right after taking HR-2: HR-2 given back (if still the
    user's), then HR-3 taken."""
    from actions.helptasks import find_task

    taken = await find_task(ctx, [wrong])
    if (
        taken is not None
        and taken.owner == ctx.staff.username
        and taken.status not in (CLOSED_WORDS)
    ):
        await _give_back(ctx, taken, await places(ctx, [taken]))
    task = await find_task(ctx, [meant])
    if task is None:
        return Outcome("not_found", resource="Task")
    outcome = await step(ctx, task, "take", types)
    return Outcome(
        outcome.result,
        resource=f"{outcome.resource}",
        detail=f"{wrong} given back; {outcome.detail or outcome.reason}",
    )
