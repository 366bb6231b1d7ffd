"""Which jobs a porter's message picks: the tickets it names ("take HR-1 and HR-2": both,
in the order said), "the first one" of the jobs just listed, and the step a "Which job?"
just asked was for (its answer, a button press, says no verb)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, Outcome
from actions.formats import TicketFormat, ordinal_choice
from actions.helptasks import ticket_ids, typed_text
from actions.jobwords import TAKE
from actions.state import slots_before_turn

_CLAUSE = re.compile(r",|&|\band\b|\bthen\b|\bplus\b", re.I)


def tickets_said(ctx: ActionContext) -> list[str]:
    """The help-request tickets the message names, each once, in the order said ("take HR-1
    and HR-2": both); the slot's alone when the words name none (a button)."""
    settings = ctx.services.settings
    fmt = TicketFormat(settings.ticket_prefixes, settings.ticket_digits)
    found: list[str] = []
    for part in _CLAUSE.split(typed_text(ctx.tracker)):
        found += [t for t in fmt.find(part) if t.startswith("HR-") and t not in found]
    return found if len(found) > 1 else ticket_ids(ctx)


def asked_step(ctx: ActionContext, ids: list[str]) -> str | None:
    """The step of the "Which job?" just asked, for its answer (a button press says no
    verb: "give it back" with two jobs in hand, then a press, gives that one back)."""
    last = slots_before_turn(ctx.tracker).get("last_task")
    if not isinstance(last, dict) or not ids or ids[0] not in (last.get("listed") or []):
        return None
    step = last.get("step")
    return str(step) if step in ("take", "done", "release") else None


def listed_choice(ctx: ActionContext, typed: str) -> list[str]:
    """The ticket of "the first one", "the second", "the last one" when the message right
    before listed the jobs (``last_task.listed``); [] otherwise."""
    last = slots_before_turn(ctx.tracker).get("last_task")
    listed = last.get("listed") if isinstance(last, dict) else None
    waiting = last.get("waiting") if isinstance(last, dict) else None
    if isinstance(waiting, list) and waiting and TAKE.search(typed or ""):
        listed = waiting  # "take the first one" under 'Yours: HR-7. Waiting: HR-5; HR-2'
    if not typed or not isinstance(listed, list) or not listed:
        return []
    if not re.search(r"\b(?:one|job|ticket|request|first|second|third|last)\b", typed, re.I):
        return []
    index = ordinal_choice(re.sub(r"\btop\b", "first", typed, flags=re.I), len(listed))
    return [str(listed[index])] if index is not None else []


# --- follow-ups of a job list or a job step ("take the top one", "the other one", "next",
# "wrong one, I meant HR-3"), which NLU reads as an answer, thanks or nothing understood

_PICK = re.compile(r"\b(?:first|second|third|last|top|other|next|another)\b", re.I)
_OTHER = re.compile(r"\bother\s+(?:one|job|ticket)\b|\bthe\s+other\b", re.I)
_BARE_NEXT = re.compile(
    r"^\W*(?:(?:ok|okay|right|and|then|now|so)\W+)*(?:(?:take|do|give\s+me|i'?ll\s+(?:take|do))"
    r"\s+)?(?:the\s+)?next(?:\s+(?:one|job|please|then))*\W*$",
    re.I,
)
_WRONG = re.compile(r"\bwrong\s+(?:one|job|ticket)\b|\bi\s+meant?\b|\bnot\s+that\s+one\b", re.I)
_TICKET = re.compile(r"\bhr[\s-]*\d+\b", re.I)


def job_memory(tracker: Tracker) -> dict[str, Any]:
    """What the last job answer left (``last_task`` before this message): the jobs it
    listed (tickets) and the job it took a step on ({ticket, step}); {} when it was no job
    answer (a bed list also leaves "listed": bed ids, never tickets)."""
    last = slots_before_turn(tracker).get("last_task")
    if not isinstance(last, dict):
        return {}
    listed = [t for t in last.get("listed") or [] if str(t).startswith("HR-")]
    job = last.get("job") if isinstance(last.get("job"), dict) else None
    if not listed and job is None:
        return {}
    return {"listed": listed, **({"job": job} if job else {})}


def follows_a_job(tracker: Tracker, text: str) -> bool:
    """ "take the top one", "the other one", "next", "wrong one, I meant HR-3" right after a
    job list or a job step: about those jobs; "ok", "take it" right after one job offered."""
    if not text or text.rstrip().endswith("?") or not job_memory(tracker):
        return False
    if offered_one(tracker, text) is not None:
        return True
    return bool(_PICK.search(text) or (_WRONG.search(text) and _TICKET.search(text)))


# "ok", "yes please", "take it", "I'll do that one", "on my way": the job offered, taken
_TAKE_IT = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|yes|yeah|yep|sure|right|fine|go\s+on)\W+)*"
    r"(?:(?:i'?ll|i\s+will|let\s+me|i\s+can)\s+)?"
    r"(?:(?:take|do|grab|have|claim)\s+(?:it|that(?:\s+one)?|this(?:\s+one)?|"
    r"(?:the|that|this)\s+(?:job|task))|on\s+my\s+way|on\s+it|mine|that\s+one|"
    r"ok(?:ay)?|yes|yeah|yep|sure|go\s+on)"
    r"(?:\W+(?:then|please|pls|now))*\W*$",
    re.I,
)


def offered_one(tracker: Tracker, text: str) -> str | None:
    """The one job a job list just offered ("Waiting (porter): HR-2 ... [Take HR-2]") when
    the porter takes it in words ("ok", "take it", "I'll do that one" were "Sorry, I didn't
    get that."); None after a step already taken, with several listed, or other words."""
    memory = job_memory(tracker)
    listed = memory.get("listed") or []
    if "job" in memory or len(listed) != 1 or text.rstrip().endswith("?"):
        return None
    return str(listed[0]) if _TAKE_IT.match(text or "") else None


def bare_next(text: str) -> bool:
    """ "next", "and the next one", "next job please": the next job in the queue."""
    return bool(_BARE_NEXT.search(text))


def other_jobs(ctx: ActionContext, typed: str) -> list[str] | None:
    """ "the other one": the jobs of the list just given (or the "Which job?" asked) that
    the last step did not touch ([] when there is none); None when the message says no
    such thing."""
    if not typed or not _OTHER.search(typed):
        return None
    memory = job_memory(ctx.tracker)
    touched = (memory.get("job") or {}).get("ticket")
    return [t for t in memory.get("listed") or [] if t != touched]


def corrected_job(ctx: ActionContext, ids: list[str]) -> str | None:
    """ "wrong one, I meant HR-3" right after taking another job: the job taken (to give
    back), when the message names another."""
    job = job_memory(ctx.tracker).get("job") or {}
    typed = typed_text(ctx.tracker)
    if job.get("step") != "take" or not ids or not _WRONG.search(typed):
        return None
    return str(job["ticket"]) if job.get("ticket") not in ids else None


def last_step(ctx: ActionContext) -> str | None:
    """The step the last job answer took ("the other one" after a take: take it)."""
    step = (job_memory(ctx.tracker).get("job") or {}).get("step")
    return str(step) if step in ("take", "done", "release") else None


def just_taken(ctx: ActionContext) -> list[str]:
    """The job the last answer took or told where to go ("cant do it" or "done" right
    after, with other jobs in hand: that one, not "Which job?"); [] otherwise."""
    job = job_memory(ctx.tracker).get("job") or {}
    in_focus = job.get("step") in ("take", "asked") and job.get("ticket")
    return [str(job["ticket"])] if in_focus else []


def given_back(ctx: ActionContext) -> str | None:
    """The job just given back ("take the next one" then means another)."""
    job = job_memory(ctx.tracker).get("job") or {}
    return str(job["ticket"]) if job.get("step") == "release" else None


def remembered(ctx: ActionContext, outcome: Outcome, ticket: str | None, verb: str) -> Outcome:
    """``outcome`` with what it did kept for the follow-ups above (the list it came from
    kept too, for "the other one")."""
    if outcome.result != "success" or not ticket:
        return outcome
    memory: dict[str, Any] = {"listed": job_memory(ctx.tracker).get("listed") or []}
    memory["job"] = {"ticket": ticket, "step": verb}
    return replace(outcome, events=(*outcome.events, SlotSet("last_task", memory)))
