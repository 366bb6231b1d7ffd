"""Bed watches: "tell me when an isolation bed frees on 4B", list them, cancel them.

A watch lasts one shift (``BED_WATCH_HOURS``, 12 h). The gateway's watcher
(``assistant/watches``) notices when a matching bed becomes free, whatever freed it (the
ADT feed, a chat status update, any API client), and sends a Slack DM, or keeps the notice
for the requester's next kiosk sign-in. Beds already free when the watch is set are named
in the answer and are not news later.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.beds import BED_FEATURES, bed_feature, describe, known_ward, said_ward
from actions.state import slots_before_turn
from assistant.hms.models import Ward
from assistant.watches.notify import describe_watch
from assistant.watches.store import TooManyWatches, Watch, WatchStore

_store: list[Any] = []


def set_watch_store(store: WatchStore | None) -> None:
    """Tests inject a store; ``None`` goes back to opening the configured one."""
    _store.clear()
    if store is not None:
        _store.append(store)


def watch_store(ctx: ActionContext) -> WatchStore:
    if not _store:
        from assistant.store import open_store

        _store.append(WatchStore(open_store(ctx.services.settings), clock=ctx.services.clock))
    store: WatchStore = _store[0]
    return store


def _where(ctx: ActionContext) -> str:
    return {
        "slack": "in a Slack DM",
        "kiosk": "at your next kiosk sign-in",
    }.get(ctx.principal.channel, "in a Slack DM, or at your next kiosk sign-in")


def _until(ctx: ActionContext, watch: Watch) -> str:
    return watch.expires_at.astimezone(ZoneInfo(ctx.services.settings.hospital_tz)).strftime(
        "%H:%M"
    )


# "tell me when one frees up": the kind of bed just asked about
_ONE = re.compile(r"\b(?:one|ones|that\s+kind|one\s+of\s+(?:those|them|these))\b", re.I)


def asked_before(ctx: ActionContext) -> dict[str, str]:
    """The ward and bed type of the bed question answered just before, when the watch
    asked for names no bed type and says "one" ("any side rooms on ICU?" / "tell me when
    one frees up": a side room on ICU - it was any bed); empty otherwise."""
    text = str(ctx.tracker.latest_message.get("text") or "")
    if ctx.text("bed_type") or not _ONE.search(text):
        return {}
    last = slots_before_turn(ctx.tracker).get("last_task")
    if not isinstance(last, dict) or last.get("intent") != "check_bed_availability":
        return {}
    kept = last.get("slots") or {}
    if not kept.get("bed_type"):
        return {}
    return {k: str(kept[k]) for k in ("ward", "bed_type") if kept.get(k)}


async def _ward(
    ctx: ActionContext, intent: str, asked: str | None = None
) -> tuple[Ward | None, bool]:
    """The ward the message names (a tagged entity, or "ward X" NLU did not tag), else the
    one ``asked`` about just before, and whether it is known; an unknown one has been
    answered with ``unknown_ward``."""
    text = str(ctx.tracker.latest_message.get("text") or "")
    said = ctx.text("ward") or said_ward(text) or asked
    if not said:
        return None, True
    ward = await known_ward(ctx, said, intent)
    return ward, ward is not None


def _data(watch: Watch) -> dict[str, Any]:
    return {
        "watch_id": watch.id,
        "ward": watch.ward_code,
        "feature": watch.feature,
        "expires": watch.expires_at.isoformat(),
    }


class ActionWatchBedAvailability(GuardedAction):
    intent = "watch_bed_availability"
    activity = "Watching for free beds"

    async def perform(self, ctx: ActionContext) -> Outcome:
        asked = asked_before(ctx)
        wanted = ctx.text("bed_type") or asked.get("bed_type")
        feature = bed_feature(wanted)
        if wanted and feature is None:
            types = sorted(set(BED_FEATURES.values()))
            ctx.say(
                f"I don't know the bed type '{wanted}'. I know: "
                + ", ".join(k.replace("-", " ") for k in types)
                + ".",
                kind="unknown_bed_type",
                data={"value": wanted, "suggestions": types},
            )
            return Outcome("refused", reason="bed_type")
        ward, known = await _ward(ctx, self.intent, asked.get("ward"))
        if not known:
            return Outcome("not_found", reason="unknown_ward")
        return await set_watch(ctx, self.intent, ward, feature, wanted)


async def set_watch(
    ctx: ActionContext,
    intent: str,
    ward: Ward | None,
    feature: str | None,
    said_type: str | None,
    lead: str = "",
) -> Outcome:
    """Set a watch for a bed on ``ward`` of ``feature`` (either may be None); the same
    watch asked for again extends the one running (``extended``), never a second one.
    ``lead``: a sentence said before the answer (a watch moved)."""
    code = ward.code if ward else None
    free = await ctx.hms.free_beds(code, feature)
    hours = float(getattr(ctx.services.settings, "bed_watch_hours", 12.0))
    store = watch_store(ctx)
    same = next(
        (
            w
            for w in store.active(ctx.staff.username)
            if w.ward_code == code and w.feature == feature
        ),
        None,
    )
    watch = store.extend(same.id, {b.id for b in free}, hours) if same else None
    try:
        if watch is None:
            watch = store.add(
                ctx.staff.username,
                ctx.principal.channel,
                code,
                feature,
                {b.id for b in free},
                hours,
            )
    except TooManyWatches:
        ctx.say(
            "You already have 10 bed watches running; cancel one first "
            "(say 'cancel my bed watches').",
            kind="watch_bed_availability_limit",
        )
        return Outcome("refused", reason="too_many")
    what = describe_watch(code, feature)
    until = _until(ctx, watch)
    text = (
        f"You're already watching for {what}; I've extended it until {until}, and I'll tell "
        f"you {_where(ctx)} when one frees."
        if same
        else f"OK, I'll tell you {_where(ctx)} when {what} frees (until {until})."
    )
    if free:
        listed = "; ".join(describe(b) for b in free[:4])
        more = f" and {len(free) - 4} more" if len(free) > 4 else ""
        text += f" Free right now: {listed}{more}."
    data = _data(watch) | {"free_now": [b.id for b in free]}
    if same:
        data["extended"] = True
    ctx.say(f"{lead} {text}" if lead else text, kind="watch_bed_availability_success", data=data)
    resource = f"Location/{ward.id}" if ward else "Location"
    # the watch just set, for "cancel that alert" right after (``actions.flow``)
    just_set = {"ward": code, "bed_type": said_type}
    last: dict[str, Any] = {"intent": intent, "slots": {k: v for k, v in just_set.items() if v}}
    last["watch_id"] = watch.id
    detail = f"watch {watch.id}" + (" extended" if same else "")
    return Outcome(events=(SlotSet("last_task", last),), resource=resource, detail=detail)


class ActionListBedWatches(GuardedAction):
    intent = "list_bed_watches"
    activity = "Listing bed watches"

    async def perform(self, ctx: ActionContext) -> Outcome:
        ward, known = await _ward(ctx, self.intent)
        if not known:
            return Outcome("not_found", reason="unknown_ward")
        watches = [
            w
            for w in watch_store(ctx).active(ctx.staff.username)
            if ward is None or w.ward_code == ward.code
        ]
        if not watches:
            where = f" on {ward.name}" if ward else ""
            ctx.say(
                f"You have no bed watches running{where}.",
                kind="list_bed_watches_none",
                data={"ward": ward.code if ward else None},
            )
            return Outcome(detail="0 watches")
        lines = [
            f"{describe_watch(w.ward_code, w.feature)} (until {_until(ctx, w)})" for w in watches
        ]
        # the button cancels the watches listed: those of the ward asked about, or all
        payload = f'/cancel_bed_watch{{"ward": "{ward.code}"}}' if ward else "/cancel_bed_watch"
        ctx.say(
            f"You're watching for: {'; '.join(lines)}.",
            kind="list_bed_watches_success",
            data={"watches": [_data(w) for w in watches]},
            buttons=[{"title": "Cancel them", "payload": payload}],
        )
        # the watches listed, for "cancel that one" / "cancel them" right after
        listed = {"ward": ward.code if ward else None, "count": len(watches)}
        last = {"intent": self.intent, "slots": {}, "watches_listed": listed}
        return Outcome(events=(SlotSet("last_task", last),), detail=f"{len(watches)} watches")


# "cancel that one", "stop them all", "get rid of both" right after the watches were listed
_CANCELS_LISTED = re.compile(
    r"^\W*(?:(?:ok|okay|actually|please|yes|yeah|right)\W+)*(?:please\s+)?"
    r"(?:cancel|stop|remove|delete|drop|scrap|end|get\s+rid\s+of|turn\s+off|switch\s+off)\s+"
    r"(?:it|that(?:\s+one)?|this(?:\s+one)?|them(?:\s+all)?|all(?:\s+of\s+them)?|"
    r"both(?:\s+of\s+them)?|those|these|the\s+lot|the\s+(?:bed\s+)?watch(?:es)?|"
    r"(?:that|this)\s+(?:bed\s+)?watch)(?:\s+(?:please|then|now|too|off))*\W*$",
    re.I,
)


def cancels_listed_watches(text: str) -> bool:
    """ "cancel that one", "stop them all" (NLU: a stop) - said right after the watches
    were listed, they call those watches off."""
    return bool(_CANCELS_LISTED.search(text))


# words that call a watch off; without one, "watch for a bed in HDU" (NLU: a cancel) is a
# watch to set
_CALLS_OFF = re.compile(
    r"\b(?:cancel\w*|stop\w*|remove|delete|end|clear|drop|scrap|turn\s+off|switch\s+off|"
    r"no\s+longer|don'?t|do\s+not|unwatch|unsubscribe|forget|enough)\b",
    re.I,
)


_SETS = re.compile(
    r"\b(?:watch|keep\s+an\s+eye|let\s+me\s+know|tell\s+me|notify|alert\s+me|ping\s+me|"
    r"message\s+me|when\s+(?:a|one|any)\b)",
    re.I,
)


class ActionCancelBedWatch(GuardedAction):
    intent = "cancel_bed_watch"
    activity = "Cancelling bed watches"

    def instead(self, services: Any, staff: Any, tracker: Tracker) -> GuardedAction | None:
        """ "watch for a bed in HDU" read as a cancel: no word calls a watch off, so it is
        the watch to set (it answered "You have no matching bed watches running")."""
        text = str(tracker.latest_message.get("text") or "")
        if text.lstrip().startswith("/") or _CALLS_OFF.search(text) or not _SETS.search(text):
            return None
        return ActionWatchBedAvailability()

    async def perform(self, ctx: ActionContext) -> Outcome:
        store = watch_store(ctx)
        feature = bed_feature(ctx.text("bed_type"))
        ward, known = await _ward(ctx, self.intent)
        if not known:
            return Outcome("not_found", reason="unknown_ward")
        chosen = [
            w
            for w in store.active(ctx.staff.username)
            if (ward is None or w.ward_code == ward.code)
            and (feature is None or w.feature == feature)
        ]
        cancelled = sum(store.cancel(ctx.staff.username, w.id) for w in chosen)
        if not cancelled:
            ctx.say("You have no matching bed watches running.", kind="cancel_bed_watch_none")
            return Outcome(detail="0 cancelled")
        plural = "es" if cancelled != 1 else ""
        ctx.say(
            f"Cancelled {cancelled} bed watch{plural}.",
            kind="cancel_bed_watch_success",
            data={"cancelled": [w.id for w in chosen]},
        )
        return Outcome(detail=f"{cancelled} cancelled")
