"""The doing side of help requests: porters and housekeeping list, take and finish jobs.

"any jobs for me?", "what's on my list" list the open tasks of the help types the user's
roles handle (``handles`` in the role policy: porters porter jobs, housekeeping
housekeeping jobs): nobody's yet, and the user's own, most urgent first. Each line is the
ticket, the kind, the place and the priority; never the free-text description nor any
patient detail (minimum necessary; a porter reads the rest on the ward).

"I'll take HR-12" claims a job (owner = the user, status ``accepted``); "done with HR-12",
"job HR-12 finished", "porter job done for bed 4 on 4B" completes one (``completed``).
A job is named by its ticket, or by its place (bed or ward); with neither, "mark my job
complete" means the user's one job in hand. A button press ("Take HR-000012", "Done
HR-000012") carries the ticket and takes the job a step on: nobody's -> taken, the user's
-> done. Only a job of a kind the user's role does, and not one someone else has taken.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.beds import bed_number, bed_status_code, known_ward, said_beds
from actions.formats import ordinal_choice
from actions.help import HELP_NAMES, ActionCheckRequestStatus
from actions.helptasks import (
    CLOSED_WORDS,
    OPEN,
    asks_status,
    by_urgency,
    facts,
    find_task,
    help_type_said,
    line,
    places,
    ticket_ids,
    typed_text,
)
from actions.services import Services
from actions.state import Turn, slots_before_turn
from assistant.hms.errors import NotFound
from assistant.hms.models import HelpTask, Staff

MAX_LISTED = 6
_DONE = re.compile(
    r"\b(?:done|finished|finish|complete[d]?|sorted|dealt\s+with|did|delivered|dropped\s+off|"
    r"cleaned|fixed|closed?|close\s+off)\b",
    re.I,
)
_TAKE = re.compile(
    r"\b(?:take|taking|took|claim|grab|accept|i'?ll\s+do|i\s+will\s+do|on\s+my\s+way|"
    r"on\s+it|assign\s+(?:it\s+)?to\s+me|mine)\b",
    re.I,
)

_VERBS = re.compile(f"{_DONE.pattern}|{_TAKE.pattern}", re.I)


def handled(ctx: ActionContext) -> list[str]:
    """The help types the user's roles do, narrowed to the one the message names."""
    types = sorted(ctx.services.policy.help_types_handled(ctx.staff.roles))
    said = help_type_said(ctx)
    return [said] if said in types else types


def _names(types: list[str]) -> str:
    return " and ".join(HELP_NAMES.get(t, t) for t in types)


async def open_jobs(ctx: ActionContext, types: list[str]) -> list[HelpTask]:
    """Open tasks of ``types`` that are nobody's yet or the user's own."""
    found: list[HelpTask] = []
    for help_type in types:
        found += await ctx.hms.list_tasks(status=OPEN, help_type=help_type)
    me = ctx.staff.username
    return [t for t in found if t.owner in (None, me)]


_JOB_WORDS = re.compile(r"\b(?:jobs?|work|tasks?|queue|worklist|pick\s+up|do)\b", re.I)
WORK = "help:work"


def asks_own_requests(services: Services, staff: Staff, text: str, words: re.Pattern[str]) -> bool:
    """Someone who does no help jobs but may see their own requests, in words that do not
    speak of jobs ("list my requests", "what are my open tickets"): their requests."""
    policy = services.policy
    return (
        not policy.allows(staff.roles, WORK)
        and policy.allows(staff.roles, "help:read")
        and not words.search(text)
    )


_FINISHED = re.compile(
    r"\b(?:done|finished|finish|complete[d]?|dealt\s+with|delivered|dropped\s+off)\b", re.I
)


def a_job_not_a_bed(services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
    """ "done with bed 6 on 4B", "taking bed 3" from someone who does help jobs but may not
    change beds (a porter), which NLU read as a bed's status: their job there."""
    policy, text = services.policy, typed_text(tracker)
    if policy.allows(staff.roles, "beds:update") or not policy.allows(staff.roles, WORK):
        return None
    if bed_status_code(_FINISHED.sub(" ", text)) is not None:
        return None  # "mark bed 3 as closed": a bed change, refused as such
    return ActionUpdateHelpTask() if _FINISHED.search(text) or _TAKE.search(text) else None


class ActionListMyJobs(GuardedAction):
    intent = "list_my_jobs"
    activity = "Listing your jobs"

    def instead(self, services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
        text = typed_text(tracker)
        if asks_own_requests(services, staff, text, _JOB_WORDS):
            return ActionCheckRequestStatus()
        return None

    async def perform(self, ctx: ActionContext) -> Outcome:
        types = handled(ctx)
        if not types:
            ctx.say("Your role doesn't take help jobs.", kind="list_my_jobs_none", data={})
            return Outcome(resource="Task", detail="no help types")
        jobs = await open_jobs(ctx, types)
        ward = None
        if ctx.text("ward"):  # "any jobs on 4B?": that ward's jobs only
            ward = await known_ward(ctx, str(ctx.text("ward")), self.intent)
            if ward is None:
                return Outcome("not_found", reason="unknown_ward", resource="Task")
            places_on = {ward.id} | {b.id for b in await ctx.hms.find_beds(ward.code)}
            jobs = [t for t in jobs if t.location_id in places_on]
        me = ctx.staff.username
        mine = by_urgency([t for t in jobs if t.owner == me])
        waiting = by_urgency([t for t in jobs if t.owner != me])
        if not jobs:
            where = f" on {ward.name}" if ward else ""
            ctx.say(
                f"No open {_names(types)} jobs{where} right now.",
                kind="list_my_jobs_none",
                data={"help_types": types, "ward": ward.code if ward else None},
            )
            return Outcome(resource="Task", detail="0 jobs")
        shown = (mine + waiting)[:MAX_LISTED]
        names = await places(ctx, shown)
        parts = []
        if mine:
            parts.append("Yours: " + "; ".join(line(t, names) for t in mine[:MAX_LISTED]) + ".")
        if waiting:
            room = max(MAX_LISTED - len(mine), 0)
            listed = "; ".join(line(t, names) for t in waiting[:room])
            more = f" and {len(waiting) - room} more" if len(waiting) > room else ""
            if listed:
                parts.append(f"Waiting ({_names(types)}): {listed}{more}.")
        buttons = [{"title": f"Done {t.ticket_id}", "payload": _payload(t)} for t in mine[:2]] + [
            {"title": f"Take {t.ticket_id}", "payload": _payload(t)} for t in waiting[:3]
        ]
        ctx.say(
            " ".join(parts),
            kind="list_my_jobs_success",
            data={
                "help_types": types,
                "ward": ward.code if ward else None,
                "jobs": [facts(t, names) for t in shown],
                "mine": len(mine),
                "waiting": len(waiting),
            },
            buttons=buttons,
        )
        # the jobs in the order said, for "I'll take the first one" right after
        listed = SlotSet("last_task", {"listed": [t.ticket_id for t in shown if t.ticket_id]})
        return Outcome(
            events=(listed,), resource="Task", detail=f"{len(mine)} mine, {len(waiting)} waiting"
        )


def listed_choice(ctx: ActionContext, typed: str) -> list[str]:
    """The ticket of "the first one", "the second", "the last one" when the message right
    before listed the jobs (``last_task.listed``); [] otherwise."""
    last = slots_before_turn(ctx.tracker).get("last_task")
    listed = last.get("listed") if isinstance(last, dict) else None
    if not typed or not isinstance(listed, list) or not listed:
        return []
    if not re.search(r"\b(?:one|job|ticket|request|first|second|third|last)\b", typed, re.I):
        return []
    index = ordinal_choice(typed, len(listed))
    return [str(listed[index])] if index is not None else []


def _payload(task: HelpTask) -> str:
    return f'/update_help_task{{"ticket_id":"{task.ticket_id}"}}'


class ActionUpdateHelpTask(GuardedAction):
    intent = "update_help_task"
    activity = "Updating a job"

    def instead(self, services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
        # "is HR-12 closed?" is a question (never a change); "follow up on HR-12" from a
        # nurse is her request's status
        text = typed_text(tracker)
        if asks_status(tracker) or asks_own_requests(services, staff, text, _VERBS):
            return ActionCheckRequestStatus()
        return None

    async def perform(self, ctx: ActionContext) -> Outcome:
        types = sorted(ctx.services.policy.help_types_handled(ctx.staff.roles))
        typed = typed_text(ctx.tracker)
        verb = "done" if _DONE.search(typed) else "take" if _TAKE.search(typed) else None
        ids = ticket_ids(ctx) or listed_choice(ctx, typed)  # "take the first one" after a list
        if ids:
            task = await find_task(ctx, ids)
            if task is None:  # said so
                return Outcome("not_found", resource="Task")
            return await self._step(ctx, task, verb, types)
        candidates = await self._by_place(ctx, handled(ctx), typed)
        if candidates is None:
            return Outcome("not_found", reason="unknown_place", resource="Task")
        me = ctx.staff.username
        if not candidates and not self._place_said(ctx, typed):
            jobs = await open_jobs(ctx, handled(ctx))
            mine = [t for t in jobs if t.owner == me]
            candidates = mine if verb != "take" else [t for t in jobs if t.owner is None]
        if len(candidates) == 1:
            return await self._step(ctx, candidates[0], verb, types)
        if not candidates:
            ctx.say(
                "I can't find an open job of yours there. Say its ticket (for example "
                "'done with HR-12'), or ask 'any jobs for me?'.",
                kind="update_help_task_none",
                data={"help_types": types},
                buttons=[{"title": "My jobs", "payload": "/list_my_jobs"}],
            )
            return Outcome(resource="Task", detail="no job found")
        chosen = by_urgency(candidates)[:5]
        names = await places(ctx, chosen)
        ctx.say(
            "Which job?",
            kind="update_help_task_which",
            data={"tasks": [facts(t, names) for t in chosen]},
            buttons=[{"title": line(t, names), "payload": _payload(t)} for t in chosen],
        )
        return Outcome(resource="Task", detail=f"{len(candidates)} jobs, asked which")

    def _place_said(self, ctx: ActionContext, typed: str) -> bool:
        return bool(ctx.text("bed") or ctx.text("ward") or said_beds(typed))

    async def _by_place(
        self, ctx: ActionContext, types: list[str], typed: str
    ) -> list[HelpTask] | None:
        """Open jobs at the bed or ward the message names ([] when it names none); None
        after saying the place is unknown."""
        # the slots, else the message's own entities (a request NLU was unsure of, served
        # here from another task: no slot took them)
        turn = Turn.of(ctx.tracker)
        ward_hint, number = bed_number(ctx.text("bed") or turn.value("bed"))
        if number is None and said_beds(typed):
            number = said_beds(typed)[0][0]
        ward_text = ctx.text("ward") or turn.value("ward") or ward_hint
        if not ward_text:
            return []
        try:
            ward = await ctx.hms.get_ward(ward_text)
            bed = await ctx.hms.get_bed(ward.code, number) if number else None
        except NotFound:
            where = f"bed {number} on ward {ward_text}" if number else f"ward {ward_text}"
            ctx.say(
                f"I can't find {where}.",
                kind="unknown_bed" if number else "unknown_ward",
                data={"value": str(number or ward_text), "suggestions": []},
            )
            return None
        jobs = await open_jobs(ctx, types)
        if bed is not None:
            there = [t for t in jobs if t.location_id == bed.id]
        else:
            beds = {b.id for b in await ctx.hms.find_beds(ward.code)}
            there = [t for t in jobs if t.location_id == ward.id or t.location_id in beds]
        mine = [t for t in there if t.owner == ctx.staff.username]
        return mine or there  # the job one took there, before anyone's

    async def _step(
        self, ctx: ActionContext, task: HelpTask, verb: str | None, types: list[str]
    ) -> Outcome:
        ticket, me = task.ticket_id or "", ctx.staff.username
        resource = f"Task/{task.id}"
        names = await places(ctx, [task])
        if task.help_type not in types:
            ctx.say(
                f"{ticket} is not a {_names(types)} job, so it isn't yours to update.",
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
            ctx.say(
                f"{ticket} has been taken by {task.owner}.",
                kind="update_help_task_taken",
                data={"ticket_id": ticket, "owner": task.owner},
            )
            return Outcome("refused", reason="taken", resource=resource)
        if verb is None:
            verb = "done" if task.owner == me else "take"
        if verb == "take" and task.owner == me:
            ctx.say(
                f"{line(task, names)} is already yours. Say 'done with {ticket}' when finished.",
                kind="update_help_task_claimed",
                data=facts(task, names),
                buttons=[{"title": f"Done {ticket}", "payload": _payload(task)}],
            )
            return Outcome(resource=resource, detail="already mine")
        if verb == "take":
            taken = await ctx.hms.update_task(ticket, status="accepted", owner_username=me)
            ctx.say(
                f"{line(taken, names)} is yours. Say 'done with {ticket}' when finished.",
                kind="update_help_task_claimed",
                data=facts(taken, names),
                buttons=[{"title": f"Done {ticket}", "payload": _payload(taken)}],
            )
            return Outcome(resource=resource, detail=f"{task.status}->accepted")
        finished = await ctx.hms.update_task(ticket, status="completed", owner_username=me)
        ctx.say(
            f"Marked {line(finished, names)} as done.",
            kind="update_help_task_completed",
            data=facts(finished, names),
        )
        return Outcome(resource=resource, detail=f"{task.status}->completed")
