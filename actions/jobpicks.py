"""Which jobs a porter's message picks: the tickets it names ("take HR-1 and HR-2": both,
in the order said), "the first one" of the jobs just listed, and the step a "Which job?"
just asked was for (its answer, a button press, says no verb)."""

from __future__ import annotations

import re

from actions.base import ActionContext
from actions.formats import TicketFormat, ordinal_choice
from actions.helptasks import ticket_ids, typed_text
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
    if not typed or not isinstance(listed, list) or not listed:
        return []
    if not re.search(r"\b(?:one|job|ticket|request|first|second|third|last)\b", typed, re.I):
        return []
    index = ordinal_choice(typed, len(listed))
    return [str(listed[index])] if index is not None else []
