"""A porter's or housekeeper's words about the job in hand that NLU read as a task they
may not do, or did not understand: "pt wasnt ready, put it back" (read as rescheduling an
appointment) gives the job back; "patient has gone to theatre already, cancel it" (an
appointment's cancel) is about the job - only its requester may cancel it, so the holder
is offered to give it back or mark it done; "where am I taking them" is the job's
destination, as its request says (never the rest of the description).
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.base import ActionContext, GuardedAction, Outcome
from actions.helptasks import CLOSED_WORDS, OPEN, facts, find_task, line, places, ticket_ids
from actions.helptasks import typed_text as typed
from actions.jobwords import a_job_step, gives_back
from actions.services import Services
from actions.state import Turn
from assistant.hms.models import HelpTask, Staff

WORK = "help:work"
_CANCEL = re.compile(
    r"\b(?:cancel(?:led)?|not\s+needed|no\s+longer\s+needed|(?:don'?t|dont|do\s+not)\s+need)\b",
    re.I,
)
_WHERE = re.compile(
    r"\bwhere(?:'?s)?\b(?:\s+\S+){0,4}?\s+(?:tak(?:e|ing)|go(?:ing|es)?|bring(?:ing)?|drop(?:ping)?|"
    r"head(?:ed|ing)?|meant\s+to\s+go)\b|\bwhere\s+to\b|\bwhat'?s\s+the\s+destination\b",
    re.I,
)
_APPOINTMENT = re.compile(r"\b(?:appointments?|appts?|bookings?|clinics?|slots?)\b", re.I)
_A_JOB = re.compile(r"\b(?:it|that|this|job|task|ticket|request|transfer|hr[\s-]*\d+)\b", re.I)
# "take her to x-ray", "to the discharge lounge please": where the job goes
_TO = re.compile(
    r"\bto\s+(?!(?:take|bring|move|collect|get|be|go|do|see|the\s+patient)\b)"
    r"((?:the\s+)?[\w-]+(?:\s+(?!(?:for|at|on|by|please|asap|urgently|now|and|then|from|"
    r"with|before|after|today|tomorrow)\b)[\w-]+){0,2})",
    re.I,
)


def asks_where(text: str) -> bool:
    """ "where am I taking them", "where's it going", "where to?": the job's destination."""
    return bool(_WHERE.search(text or ""))


_A_BED = re.compile(r"\bbed\b|^\s*(?:ward\s+)?\d+[a-z]?\b", re.I)


_NOTED = re.compile(r"^\s*Destination:\s*(.+?)\s*$", re.I)


def destination_of(task: HelpTask) -> str | None:
    """Where the job goes: the last destination its requester added after filing ("sorry,
    to x-ray not CT" - the porter was still told "to CT"), else its description's."""
    for note in reversed(task.notes):
        added = _NOTED.match(note)
        if added:  # (a note added as "x-ray not CT" before the place ruled out was dropped)
            return re.split(r"\s+(?:not|instead\s+of|rather\s+than)\s", added.group(1))[0]
    return destination(task.description)


def destination(description: str | None) -> str | None:
    """The place a job's description sends it ("take her to x-ray" -> "x-ray"), or None;
    never the job's own bed or ward ("porter to 4B bed 2, take her to CT" -> "CT")."""
    places = [m.group(1).strip() for m in _TO.finditer(description or "")]
    places = [p for p in places if not _A_BED.search(p)]
    return places[-1] if places else None


def worker_words(
    action: GuardedAction, services: Services, staff: Staff, tracker: Tracker
) -> GuardedAction | None:
    """The job action for someone who does help jobs and whose words NLU read as a task
    they may not do (an appointment's cancel or move, a patient look-up); None otherwise."""
    from actions.jobs import ActionUpdateHelpTask  # (actions.jobs imports actions.base)

    policy = services.policy
    permission = action.permission
    if not permission or policy.allows(staff.roles, permission):
        return None
    if not policy.allows(staff.roles, WORK):
        return None
    if (tracker.latest_message.get("intent") or {}).get("name") != action.intent:
        return None  # a form submitted, not this message's task
    text = typed(tracker)
    if _APPOINTMENT.search(text):
        return None  # "cancel Mateo Begum's appointment": refused as asked
    if asks_where(text):
        return ActionJobWhere()
    if gives_back(text) or a_job_step(text):  # never a bed 'closed'
        return ActionUpdateHelpTask()
    about_a_job = _CANCEL.search(text) and _A_JOB.search(text)  # "cancel it", "cancel HR-3"
    return ActionJobCancelAsked() if about_a_job else None


async def gives_back_in_words(tracker: Tracker, turn: Turn) -> bool:
    """ "cant do it, lift is broken" from someone who does help jobs, which NLU read as a
    help request naming no kind of help nor place (it asked "Which ward?"): the job in hand
    given back."""
    from actions.jobstep import does_jobs  # (actions.jobstep imports actions.help)

    if turn.is_payload or turn.intent != "request_help" or not gives_back(turn.text):
        return False
    if any(turn.values(e) for e in ("help_type", "ward", "bed")):
        return False  # "can't fix it, need maintenance for the lift": a request
    return await does_jobs(tracker)


async def job_in_hand(ctx: ActionContext) -> list[HelpTask]:
    """The ticket named, else the job just taken (with two in hand, "where am I taking
    them" right after taking HR-36 answered for an older one), else the user's open jobs."""
    from actions.jobpicks import just_taken

    named = ticket_ids(ctx)
    if named:
        task = await find_task(ctx, named)
        return [task] if task is not None else []
    taken = await find_task(ctx, just_taken(ctx)) if just_taken(ctx) else None
    if taken is not None and taken.owner == ctx.staff.username:
        return [taken]
    found: list[HelpTask] = []
    for help_type in sorted(ctx.services.policy.help_types_handled(ctx.staff.roles)):
        found += await ctx.hms.list_tasks(status=OPEN, help_type=help_type)
    return [t for t in found if t.owner == ctx.staff.username]


class _JobAnswer(GuardedAction):
    intent = "update_help_task"
    activity = "Updating a job"
    serves_intent = False  # another action of update_help_task, reached from its words

    def none(self, ctx: ActionContext) -> Outcome:
        ctx.say(
            "You have no job in hand. Ask 'any jobs for me?'.",
            kind="update_help_task_none",
            data={},
            buttons=[{"title": "My jobs", "payload": "/list_my_jobs"}],
        )
        return Outcome(resource="Task", detail="no job in hand")


class ActionJobWhere(_JobAnswer):
    """ "where am I taking them": the job's place and where its request sends it."""

    def name(self) -> str:
        return "action_job_where"

    async def perform(self, ctx: ActionContext) -> Outcome:
        jobs = await job_in_hand(ctx)
        if not jobs:
            return self.none(ctx)
        task = jobs[0]
        names = await places(ctx, [task])
        goes = destination_of(task)
        where = (
            f"the request says: to {goes}."
            if goes
            else "the request doesn't say where to; ask on the ward."
        )
        ctx.say(
            f"{line(task, names)}: {where}",
            kind="update_help_task_details",
            data={**facts(task, names), "destination": goes},
        )
        from actions.jobpicks import remembered

        told = Outcome(resource=f"Task/{task.id}", detail="destination, nothing changed")
        return remembered(ctx, told, task.ticket_id, "asked")  # "put it back" next: this one


class ActionJobCancelAsked(_JobAnswer):
    """ "cancel it" from the job's holder: the requester's to cancel; give back or done."""

    def name(self) -> str:
        return "action_job_cancel_asked"

    async def perform(self, ctx: ActionContext) -> Outcome:
        jobs = [t for t in await job_in_hand(ctx) if t.status not in CLOSED_WORDS]
        if not jobs:
            return self.none(ctx)
        task = jobs[0]
        if task.requester == ctx.staff.username:  # their own request: theirs to cancel
            from actions.cancelhelp import ActionCancelHelpRequest  # (imports actions.jobs)

            return await ActionCancelHelpRequest()._cancel(ctx, task)
        ticket = task.ticket_id or ""
        who = task.requester or "the requester"
        ctx.say(
            f"{ticket} is {who}'s request, so only they (or the help desk) can cancel it. "
            "If it's no longer needed, I can give it back to the queue or mark it done.",
            kind="update_help_task_cancel_not_yours",
            data={"ticket_id": ticket, "requester": task.requester},
            buttons=[
                {"title": f"Give {ticket} back", "payload": f"give {ticket} back"},
                {"title": f"Done {ticket}", "payload": f"done with {ticket}"},
            ],
        )
        return Outcome("refused", reason="not_requester", resource=f"Task/{task.id}")
