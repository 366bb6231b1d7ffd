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
"drop HR-12, someone else can do it", "release it", "I can't do that one, give it back"
give the job back (nobody's, ``requested`` again; only its holder may), never done;
"take HR-1 and HR-2" takes both; "take the next urgent one" the top of the queue; a
porter's bare "done" their one job in hand. The words: ``actions.jobwords``; the steps:
``actions.jobstep``; which jobs a message picks: ``actions.jobpicks``.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.beds import bed_number, bed_status_code, known_ward, said_beds
from actions.help import ActionCheckRequestStatus
from actions.helptasks import (
    OPEN,
    asks_status,
    by_urgency,
    facts,
    find_task,
    help_type_said,
    line,
    places,
    typed_text,
)
from actions.jobpicks import (
    asked_step,
    bare_next,
    corrected_job,
    given_back,
    just_taken,
    last_step,
    listed_choice,
    offered_one,
    other_jobs,
    remembered,
    tickets_said,
)
from actions.jobstep import details, names_of, payload, step, swap
from actions.jobwords import (
    DONE,
    RELEASE,
    TAKE,
    URGENT_PRIORITIES,
    bare_done,
    gives_back,
    job_verb,
    urgent_said,
    wants_next,
)
from actions.services import Services
from actions.state import Turn
from assistant.hms.errors import NotFound
from assistant.hms.models import HelpTask, Staff

MAX_LISTED = 6
_VERBS = re.compile(f"{DONE.pattern}|{TAKE.pattern}|{RELEASE.pattern}", re.I)


def handled(ctx: ActionContext) -> list[str]:
    """The help types the user's roles do, narrowed to the one the message names."""
    types = sorted(ctx.services.policy.help_types_handled(ctx.staff.roles))
    said = help_type_said(ctx)
    return [said] if said in types else types


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
    r"\b(?:done|finished|finish|complete[d]?|dealt\s+with|delivered|"
    r"dropped\s+(?:\w+\s+){0,3}?off)\b",
    re.I,
)


def a_job_not_a_bed(services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
    """ "done with bed 6 on 4B", "taking bed 3" from someone who does help jobs but may not
    change beds (a porter), which NLU read as a bed's status: their job there."""
    policy, text = services.policy, typed_text(tracker)
    if policy.allows(staff.roles, "beds:update") or not policy.allows(staff.roles, WORK):
        return None
    if bed_status_code(_FINISHED.sub(" ", text)) is not None:
        return None  # "mark bed 3 as closed": a bed change, refused as such
    job_words = _FINISHED.search(text) or TAKE.search(text) or gives_back(text, firmly=True)
    return ActionUpdateHelpTask() if job_words else None


def a_job_given_back(services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
    """ "release HR-12", "drop HR-12, someone else can do it" from someone who does help
    jobs, which NLU read as a status question or a cancel: their job, given back."""
    text = typed_text(tracker)
    if not services.policy.allows(staff.roles, WORK) or asks_status(tracker):
        return None
    return ActionUpdateHelpTask() if gives_back(text, firmly=True) else None


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
                f"No open {names_of(types)} jobs{where} right now.",
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
                parts.append(f"Waiting ({names_of(types)}): {listed}{more}.")
        buttons = [{"title": f"Done {t.ticket_id}", "payload": payload(t)} for t in mine[:2]] + [
            {"title": f"Take {t.ticket_id}", "payload": payload(t)} for t in waiting[:3]
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
        memory: dict[str, Any] = {"listed": [t.ticket_id for t in shown if t.ticket_id]}
        if mine and waiting:  # "take the first one": the first waiting, not one already theirs
            memory["waiting"] = [t.ticket_id for t in shown if t.ticket_id and t.owner != me]
        listed = SlotSet("last_task", memory)
        return Outcome(
            events=(listed,), resource="Task", detail=f"{len(mine)} mine, {len(waiting)} waiting"
        )


class ActionUpdateHelpTask(GuardedAction):
    intent = "update_help_task"
    activity = "Updating a job"

    def instead(self, services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
        # "is HR-12 closed?" is a question (never a change); "follow up on HR-12" from a
        # nurse is her request's status
        from actions.jobtalk import ActionJobWhere, asks_where  # (imports this module)

        text = typed_text(tracker)
        if asks_where(text) and services.policy.allows(staff.roles, WORK):
            return ActionJobWhere()  # "where am I taking them": the job in hand's destination
        if asks_status(tracker) or asks_own_requests(services, staff, text, _VERBS):
            return ActionCheckRequestStatus()
        return None

    async def perform(self, ctx: ActionContext) -> Outcome:
        types = sorted(ctx.services.policy.help_types_handled(ctx.staff.roles))
        typed = typed_text(ctx.tracker)
        ids = tickets_said(ctx) or listed_choice(ctx, typed)  # "take the first one" after a list
        offered = None if ids else offered_one(ctx.tracker, typed)  # "ok" to one job listed
        ids = [offered] if offered else ids
        wrong = corrected_job(ctx, ids)  # "wrong one, I meant HR-3" right after a take
        if wrong is not None:
            return remembered(ctx, await swap(ctx, wrong, ids[0], types), ids[0], "take")
        others = None if ids else other_jobs(ctx, typed)  # "the other one"
        if others == []:
            ctx.say(
                "There's no other job in the list I just gave. Ask 'any jobs for me?'.",
                kind="update_help_task_none",
                data={"help_types": types},
                buttons=[{"title": "My jobs", "payload": "/list_my_jobs"}],
            )
            return Outcome(resource="Task", detail="no other job")
        verb = job_verb(typed) or asked_step(ctx, ids) or (last_step(ctx) if others else None)
        verb = "take" if bare_next(typed) or offered else verb  # "next", "and the next one"
        ids = others if others and len(others) == 1 else ids
        if not ids and verb in ("release", "done") and not self._place_said(ctx, typed):
            ids = just_taken(ctx)  # "cant do it" right after taking HR-7: that one
        if ids and verb is None and typed:  # "details of HR-12": a question, nothing taken
            task = await find_task(ctx, ids)
            if task is None:
                return Outcome("not_found", resource="Task")
            return await details(ctx, task, types)
        if ids:
            return await self._each(ctx, ids, verb, types)
        candidates = await self._by_place(ctx, handled(ctx), typed)
        if candidates is None:
            return Outcome("not_found", reason="unknown_place", resource="Task")
        me = ctx.staff.username
        if not candidates and not self._place_said(ctx, typed):
            jobs = await open_jobs(ctx, handled(ctx))
            mine = [t for t in jobs if t.owner == me]
            candidates = mine if verb != "take" else [t for t in jobs if t.owner is None]
            if verb == "take" and (wants_next(typed) or bare_next(typed)):
                # "take the next urgent one"; never the job just given back
                back = given_back(ctx)
                candidates = [t for t in candidates if t.ticket_id != back]
                return await self._next(ctx, candidates, typed, types)
            if others:  # "the other one" of several: which
                candidates = [t for t in jobs if t.ticket_id in others]
        if len(candidates) == 1:
            return await self._step(ctx, candidates[0], verb, types)
        if not candidates and bare_done(typed):  # "done" with no job in hand: a goodbye
            ctx.say("Goodbye.", kind="goodbye_answer", data={})
            return Outcome(resource="Task", detail="no job in hand, goodbye")
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
            buttons=[{"title": line(t, names), "payload": payload(t)} for t in chosen],
        )
        # the choice is of a job to take that step ("give it back": never done by the press)
        asked = {"listed": [t.ticket_id for t in chosen if t.ticket_id], "step": verb}
        return Outcome(
            events=(SlotSet("last_task", asked),),
            resource="Task",
            detail=f"{len(candidates)} jobs, asked which",
        )

    async def _each(
        self, ctx: ActionContext, ids: list[str], verb: str | None, types: list[str]
    ) -> Outcome:
        """Every job named ("take HR-1 and HR-2"), each answered; one audit event."""
        outcomes = []
        for ticket in ids:
            task = await find_task(ctx, [ticket])
            if task is None:  # said so
                outcomes.append(Outcome("not_found", resource="Task"))
                continue
            outcomes.append(await self._step(ctx, task, verb, types))
        if len(outcomes) == 1:
            return outcomes[0]
        done = [o for o in outcomes if o.result == "success"]
        return Outcome(
            (done or outcomes)[0].result,
            resource=",".join(str(o.resource) for o in outcomes),
            detail="; ".join(o.detail or o.reason or o.result for o in outcomes),
        )

    async def _next(
        self, ctx: ActionContext, waiting: list[HelpTask], typed: str, types: list[str]
    ) -> Outcome:
        """The top of the queue (most urgent, then oldest), of the urgent ones if asked."""
        urgent = urgent_said(typed)
        if urgent:
            waiting = [t for t in waiting if t.priority in URGENT_PRIORITIES]
        if waiting:
            return await self._step(ctx, by_urgency(waiting)[0], "take", types)
        what = "urgent " if urgent else ""
        ctx.say(
            f"There is no open {what}{names_of(handled(ctx))} job waiting right now.",
            kind="update_help_task_none",
            data={"help_types": types, "urgent": urgent},
            buttons=[{"title": "My jobs", "payload": "/list_my_jobs"}],
        )
        return Outcome(resource="Task", detail=f"no {what}job waiting")

    async def _step(
        self, ctx: ActionContext, task: HelpTask, verb: str | None, types: list[str]
    ) -> Outcome:
        """``step``, remembered for "the other one", "next" and "wrong one" after it."""
        done = verb or ("done" if task.owner == ctx.staff.username else "take")
        return remembered(ctx, await step(ctx, task, verb, types), task.ticket_id, done)

    def _place_said(self, ctx: ActionContext, typed: str) -> bool:
        return bool(ctx.text("bed") or ctx.text("ward") or said_beds(typed))

    async def _at_bed_anywhere(
        self, ctx: ActionContext, types: list[str], number: str
    ) -> list[HelpTask]:
        """ "on my way to bed 16" with no ward said (housekeeping works every ward): the
        open jobs at a bed of that number on any ward, the user's own first (it was "I
        can't find an open job of yours there")."""
        jobs = await open_jobs(ctx, types)
        names = await places(ctx, jobs)
        at = re.compile(rf"\bbed\s*0*{re.escape(str(number).lstrip('0'))}$", re.I)
        there = [t for t in jobs if at.search(names.get(t.location_id or "", ""))]
        mine = [t for t in there if t.owner == ctx.staff.username]
        return mine or there

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
            return await self._at_bed_anywhere(ctx, types, number) if number else []
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
