"""Right after a bed watch was set, a correction of its ward or bed type moves it.

"watch for a free bed on CCU" then "actually make that HDU", "change that to HDU", "no,
HDU not CCU", "sorry, I meant an isolation bed": the watch just set (``last_task``, with
its id) is cancelled and the one meant is set, said so ("Moved your watch from CCU to
HDU."). The message must open with a correction ("actually", "no", "sorry", "I meant") or
say "make / change / switch that (to)", and name only the ward or bed type meant (a ward
not known is answered ``unknown_ward`` and the watch is left as it was). A guarded action
of its own (``beds:read``, as setting a watch; one audit event).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rasa_sdk import Tracker

from actions.base import ActionContext, GuardedAction, Outcome
from actions.beds import bed_feature, known_ward
from actions.state import Turn
from assistant.watches.notify import describe_watch

_OPENER = r"(?:no+|nope|oh|oops|sorry|actually|wait|hang\s+on|my\s+mistake|i\s+meant?)"
_MAKE = r"(?:make|change|switch|move|set|put)\s+(?:that|it|this|the\s+(?:watch|alert))"
_MOVE = re.compile(
    rf"^\W*(?P<cue>(?:{_OPENER}\W+)*(?:{_MAKE}\s+(?:to\s+|for\s+|on\s+|in\s+|an?\s+)?)"
    rf"|(?:{_OPENER}\W+)+(?:(?:i\s+meant?|it'?s|on|in|for)\s+)?)"
    r"(?:the\s+)?(?:ward\s+)?(?P<what>[a-z0-9][\w'&-]*(?:\s+[\w'&-]+){0,2}?)"
    r"(?:\s+(?:ward|unit))?(?:\W+(?:instead|then|please|not\s+(?:the\s+)?[\w-]+))*\W*$",
    re.I,
)
# words that make the message something else than a ward or a bed type
_NOT_A_PLACE = re.compile(
    r"\b(?:any|free|beds|what|which|how|is|are|my|watch(?:es)?|list|cancel|stop|too|also|"
    r"and|urgent|routine|porter|it|that|this|them|undo|back|thanks?|ok(?:ay)?|fine|good|great|"
    r"worries|problem|all|bye|cheers|sure|yes|yeah|right|never|mind|forget|later|wrong)\b",
    re.I,
)


def watch_set_last(tracker: Tracker) -> dict[str, Any] | None:
    """The bed watch set last in this conversation (``last_task``), or None."""
    last = tracker.get_slot("last_task")
    if isinstance(last, dict) and last.get("intent") == "watch_bed_availability":
        return last
    return None


def moved_to(tracker: Tracker, turn: Turn) -> dict[str, str] | None:
    """{"ward": ...} or {"bed_type": ...}: what a correction right after a watch moves it
    to; None when the message is no such correction."""
    if turn.is_payload or watch_set_last(tracker) is None:
        return None
    match = _MOVE.match(turn.text or "")
    if match is None:  # "on HDU" right after a watch for anywhere: the watch meant
        from actions.watchmore import narrowed_to

        return narrowed_to(watch_set_last(tracker) or {}, turn)
    what = match.group("what").strip()
    wards = turn.values("ward")
    if wards:
        return {"ward": wards[-1][0] if len(wards) == 1 else _first_not_negated(turn, wards)}
    kind = re.sub(r"^(?:an?\s+)|\s+(?:bed|room)s?$", "", what, flags=re.I)
    if bed_feature(kind) or bed_feature(what):
        return {"bed_type": what}
    if _NOT_A_PLACE.search(what) or what.isdigit() and int(what) > 20:
        return None
    return {"ward": what}


def _first_not_negated(turn: Turn, wards: list[tuple[str, int]]) -> str:
    """Of two wards ("HDU not CCU", "not CCU, HDU"): the one not after "not"."""
    for value, at in wards:
        if not re.search(r"\bnot\s+(?:the\s+)?$", turn.text[:at], re.I):
            return value
    return wards[-1][0]


class ActionMoveBedWatch(GuardedAction):
    """Cancels the watch just set and sets the one meant."""

    intent = "watch_bed_availability"
    activity = "Changing your bed watch"
    serves_intent: ClassVar[bool] = False  # reached through ``actions.amend.amendment``

    def name(self) -> str:
        return "action_move_bed_watch"

    async def perform(self, ctx: ActionContext) -> Outcome:
        from actions.watches import set_watch, watch_store

        last = watch_set_last(ctx.tracker) or {}
        change = moved_to(ctx.tracker, Turn.of(ctx.tracker))
        if change is None:
            return Outcome("refused", reason="no_watch")
        slots = dict(last.get("slots") or {})
        ward_said = change.get("ward") or slots.get("ward")
        said_type = change.get("bed_type") or slots.get("bed_type")
        feature = bed_feature(said_type)
        ward = await known_ward(ctx, str(ward_said), self.intent) if ward_said else None
        if ward_said and ward is None:
            return Outcome("not_found", reason="unknown_ward")
        store = watch_store(ctx)
        old = next(
            (w for w in store.active(ctx.staff.username) if w.id == last.get("watch_id")), None
        )
        if (
            old is not None
            and old.ward_code == (ward.code if ward else None)
            and (old.feature == feature)
        ):
            lead = ""  # the same watch named again: extended below
        elif old is not None:
            store.cancel(ctx.staff.username, old.id)
            was = describe_watch(old.ward_code, old.feature)
            lead = f"Cancelled the watch for {was}."
        else:
            lead = ""
        outcome = await set_watch(ctx, self.intent, ward, feature, said_type, lead)
        return Outcome(
            outcome.result,
            events=outcome.events,
            resource=outcome.resource,
            detail=f"moved {old.id if old else '-'}: {outcome.detail}",
            reason=outcome.reason,
        )
