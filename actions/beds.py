"""Beds: free-bed lookups (by ward and/or bed type, or hospital-wide) and bed status changes."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.bedconfirm import (
    OCCUPIED_NOTE,
    another_bed_instead,
    answer,
    ask,
    asks_first,
    more_clauses_follow,
    waits_for_answer,
)
from actions.directory import resolve_ward, ward_in_words, ward_said
from actions.formats import small_number
from actions.services import Services
from assistant.hms.errors import NotFound
from assistant.hms.models import Bed, Staff, Ward

BED_FEATURES = {
    "isolation": "isolation",
    "side room": "side-room",
    "side-room": "side-room",
    "single room": "side-room",
    "bariatric": "bariatric",
    "monitored": "monitored",
    "monitoring": "monitored",
    "telemetry": "monitored",
    "paediatric": "paediatric-cot",
    "pediatric": "paediatric-cot",
    "cot": "paediatric-cot",
    "paediatric cot": "paediatric-cot",
}
STATUS_WORDS = {
    "u": "U",
    "unoccupied": "U",
    "free": "U",
    "available": "U",
    "clean": "U",
    "ready": "U",
    "empty": "U",
    "vacant": "U",
    "o": "O",
    "occupied": "O",
    "taken": "O",
    "in use": "O",
    "h": "H",
    "housekeeping": "H",
    "needs cleaning": "H",
    "dirty": "H",
    "cleaning": "H",
    "to be cleaned": "H",
    "c": "C",
    "closed": "C",
    "blocked": "C",
    "out of service": "C",
    "k": "K",
    "contaminated": "K",
    "i": "I",
    "isolated": "I",
    "isolation": "I",
}


# the one-word bed types a slip is read against; never the cot's words ("paediatric" is
# also a ward)
_TYPE_WORDS = tuple(k for k, v in BED_FEATURES.items() if k.isalpha() and v != "paediatric-cot")


def misspelt_bed_type(text: str) -> str | None:
    """ "any isolaton beds free": the bed type of a word one slip away from a bed-type word
    (NLU tags none and all free beds were listed); never "paediatric", also a ward."""
    for word in re.findall(r"[a-z]{6,}", text.lower()):
        if word in BED_FEATURES:
            continue
        close = difflib.get_close_matches(word, _TYPE_WORDS, n=1, cutoff=0.85)
        if close:
            return BED_FEATURES[close[0]]
    return None


def bed_feature(text: str | None) -> str | None:
    if not text:
        return None
    clean = " ".join(text.lower().replace("-", " ").split()).removesuffix(" bed").strip()
    return BED_FEATURES.get(clean) or BED_FEATURES.get(clean.replace(" ", "-"))


# a status said in a sentence ("mark it as needing a clean"); the first match wins, so
# "needs a clean" (H) is read before "clean" (U)
STATUS_PHRASES_IN_TEXT = (
    (
        r"\b(needs?|needing|waiting for|awaiting|ready for|due)\s+(a\s+)?(deep\s+)?clean(ing|ed)?\b"
        r"|\bto be cleaned\b|\bbeing cleaned\b|\bdirty\b|\bhousekeeping\b"
        r"|\b(for|off for)\s+(a\s+)?(deep\s+)?clean(ing)?\b"
        # "beds to clean on maternity?", "any beds I can clean", "what's left to clean"
        r"|\b(left\s+|still\s+)?to\s+clean\b|\bi\s+(can|could|should|need\s+to|have\s+to)\s+clean\b",
        "H",
    ),
    (r"\bcontaminated\b", "K"),
    (r"\b(isolat(ed|ion))\b", "I"),
    (r"\b(closed?|block(ed)?|out of (service|use))\b", "C"),
    (r"\b(occupied|taken|in use|someone in it)\b", "O"),
    (r"\b(free|clean|ready|empty|vacant|available|unoccupied|re-?open(ed)?)\b", "U"),
    # housekeeping's "done bed 12", "bed 6 is finished", "bed 4 cleaned" ("not done yet" is no
    # status: asked)
    (r"(?<!not )(?<!n't )(?<!never )\b(cleaned|done|finished|sorted)\b", "U"),
)


def bed_status_code(text: str | None) -> str | None:
    """Map a spoken status ("needs cleaning", "free", "K") to its v2-0116 code; a sentence
    ("mark 4B bed 3 as needing a clean") is read for the status it names."""
    if not text:
        return None
    clean = " ".join(text.lower().split()).removeprefix("status ").strip()
    if clean in STATUS_WORDS:
        return STATUS_WORDS[clean]
    for pattern, code in STATUS_PHRASES_IN_TEXT:
        if re.search(pattern, clean):
            return code
    return None


def bed_number(text: str | None) -> tuple[str | None, str | None]:
    """("4B-06" | "ICU-03" | "4B bed 6" | "bed 6" | "bed twelve" | "six"...) -> (ward code or None,
    bed number or None). Number words count in every channel, typed or spoken."""
    if not text:
        return None, None
    full = re.fullmatch(r"\s*(\d{1,2}[a-z])[\s-]*(?:bed\s*)?(\d{1,3})\s*", text, re.IGNORECASE)
    if full:
        return full.group(1).upper(), str(int(full.group(2)))
    coded = re.fullmatch(
        r"\s*(?!(?:bed|bay|no)\b)([a-z]{2,4}|\d{1,2})\s*-\s*(\d{1,3})\s*", text, re.IGNORECASE
    )
    if coded:  # a bed id on a ward with a lettered or numbered code: ICU-03, PAED-12, 7-04
        return coded.group(1).upper(), str(int(coded.group(2)))
    digits = re.search(r"(\d{1,3})\s*$", text)
    if digits:
        return None, str(int(digits.group(1)))
    said = re.sub(r"^.*?\b(?:bed|bay|number|no)\b\.?\s*", "", text, flags=re.IGNORECASE)
    number = small_number(said)
    if number is None:
        tail = said.split()
        for size in (2, 1):
            number = small_number(" ".join(tail[-size:])) if len(tail) >= size else None
            if number is not None:
                break
    return None, (str(number) if number is not None else None)


_NUMBER_WORDS = (
    r"\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen"
)
_SAID_BED = re.compile(rf"\bbeds?\s+(?:number\s+|no\.?\s+)?({_NUMBER_WORDS})\b", re.IGNORECASE)
_BARE = re.compile(
    r"^\s*(?:it'?s\s+|the\s+)?(?:bed\s+|number\s+|no\.?\s+)?(.+?)\s*(?:please)?[.!]?\s*$",
    re.IGNORECASE,
)


def said_beds(text: str) -> list[tuple[str, int]]:
    """Every 'bed <number>' in ``text`` as (number, offset): 'bed sixteen not six' -> 16."""
    found = []
    for match in _SAID_BED.finditer(text or ""):
        number = small_number(match.group(1))
        if number is not None:
            found.append((str(number), match.start()))
    return found


def bed_answer(text: str | None) -> tuple[str | None, str | None]:
    """A bed given as an answer: '4B-06', 'bed twelve', '12', 'twelve please'; a sentence
    that only ends in a number ('I meant ward 7') is not a bed."""
    if not text:
        return None, None
    ward, number = bed_number(text)
    if ward is not None:
        return ward, number
    beds = said_beds(text)
    if beds:
        return None, beds[-1][0]
    bare = _BARE.match(text)
    if bare and len(bare.group(1).split()) <= 3:
        value = small_number(bare.group(1))
        return None, (str(value) if value is not None else None)
    return None, None


STATUS_PHRASES = {
    "U": "free",
    "O": "occupied",
    "H": "waiting for cleaning",
    "C": "closed",
    "K": "contaminated",
    "I": "isolated",
}
# statuses a bed question may ask about besides free ("which beds need cleaning on 4B",
# "any closed beds on 7?"); "isolation" is a bed type there, not the status
ASKABLE_STATUSES = ("H", "C", "O", "K")


def status_asked(message: str, before: str | None = None) -> str:
    """The status a bed question asks about: free ("U") unless it names another; a
    follow-up that names none ("and on 7?") asks about ``before``, the status asked last."""
    code = bed_status_code(message)
    if code is None and before in ASKABLE_STATUSES:
        return str(before)
    return code if code in ASKABLE_STATUSES else "U"


def asked_about(
    status: str, listed: list[str] | None = None, ward: str | None = None
) -> tuple[dict[str, Any], ...]:
    """The status a bed question asked about, kept for its follow-ups (``last_task``), the
    beds it listed (housekeeping's "done with bed 18", a bed manager's "close it" right
    after) and the one ward it was about ("bed 4 is done" for a bed not listed)."""
    kept: dict[str, Any] = {} if status == "U" else {"asked": {"bed_status": status}}
    if listed:  # "done with bed 18", "close it", "block bed 29" right after the list
        kept["listed"] = listed
    if ward:
        kept["on_ward"] = ward
    return (SlotSet("last_task", kept),) if kept else ()


# "ward 3", "ward seven", "ward 5c" - not the words that follow "ward" in a sentence
# ("which ward has a side room", "my ward please")
_NOT_A_WARD = (
    r"(?:has|have|had|is|are|was|were|be|with|without|please|that|this|for|and|or|the|a|"
    r"an|to|of|on|in|at|do|does|did|can|could|would|should|will|has|round|rounds|list|"
    r"manager|sister|nurse|staff|team|clerk|beds?|patients?|now|today|tonight|tomorrow)\b"
)
_SAID_WARD = re.compile(rf"\bward\s+(?!{_NOT_A_WARD})([a-z0-9]{{1,12}})\b", re.IGNORECASE)


def ward_said_in(text: str) -> re.Match[str] | None:
    """Where 'ward <code>' is said in ``text`` (the code is group 1), or None."""
    return _SAID_WARD.search(text)


# "the cardiac ward", "on the surgical unit": a ward named by what it is
_NAMED_WARD = re.compile(
    r"\b(?:the|on|to|in|at)\s+(?!(?:same|other|right|wrong|whole|next|new|old|my|our|your|"
    r"their|his|her|this|that|which|what|each|every|any|a|an|main|own)\b)([a-z][a-z'&-]{2,})\s+"
    r"(ward|unit)\b",
    re.IGNORECASE,
)


def said_ward(text: str) -> str | None:
    """'any beds on ward 3?' -> '3', 'the cardiac ward' -> 'cardiac ward': a ward named in
    words NLU did not tag (maybe unknown)."""
    match = _SAID_WARD.search(text)
    if match:
        return match.group(1)
    named = _NAMED_WARD.search(text)
    return f"{named.group(1)} {named.group(2)}" if named else None


MINE = "mine"  # the signed-in user's own ward (as ``actions.slotvalues.MINE``)
# a question naming two wards that corrects one rather than asking about both
_NOT_BOTH = re.compile(r"\b(?:not|instead|rather|i\s+meant?|sorry|actually|wrong)\b|^\W*no\b", re.I)
_OWN_WARD = re.compile(r"\b(?:my|our|this)\s+(?:own\s+)?(?:ward|unit)\b", re.IGNORECASE)


def says_own_ward(text: str) -> bool:
    """'any free beds on my ward?', 'porter to our ward': the user's own ward."""
    return bool(_OWN_WARD.search(text))


def own_ward(ctx: ActionContext, said: str | None) -> str | None:
    """``said`` with "mine" replaced by the user's ward; None when they have none or
    several (the caller asks, or answers without a ward)."""
    if said != MINE:
        return said
    own = sorted(ctx.staff.ward_codes)
    return own[0] if len(own) == 1 else None


async def known_ward(ctx: ActionContext, said: str, intent: str) -> Ward | None:
    """The ward meant by ``said``; None after answering ``unknown_ward`` with the nearest."""
    wards = await ctx.hms.list_wards()
    found = resolve_ward(wards, said)
    if found.value is not None:
        return next(w for w in wards if w.code == found.value)
    known = ", ".join(title for title, _ in found.suggestions)
    named = ward_said(said)  # "ward three" -> '3'
    ctx.say(
        f"I don't know ward '{named}'. Wards here are {known}.",
        kind="unknown_ward",
        data={"value": named, "suggestions": [code for _, code in found.suggestions]},
        buttons=[
            {"title": t, "payload": f'/{intent}{{"ward":"{c}"}}'} for t, c in found.suggestions
        ],
    )
    return None


def describe(bed: Bed) -> str:
    extras = [bed.room] if bed.room else []
    extras += sorted(f.replace("-", " ") for f in bed.features)
    return f"{bed.label} ({', '.join(extras)})" if extras else bed.label


def bed_data(bed: Bed) -> dict[str, object]:
    return {
        "id": bed.id,
        "label": bed.label,
        "ward": bed.ward_code,
        "room": bed.room,
        "status": bed.status,
        "features": sorted(bed.features),
    }


class ActionCheckBedAvailability(GuardedAction):
    intent = "check_bed_availability"
    activity = "Checking bed availability"

    async def perform(self, ctx: ActionContext) -> Outcome:
        reset: tuple[dict[str, Any], ...] = ()  # the task's slots are cleared when it ends
        wanted_type = ctx.text("bed_type")
        message = str(ctx.tracker.latest_message.get("text") or "")
        feature = bed_feature(wanted_type) if wanted_type else misspelt_bed_type(message)
        if feature and not wanted_type:  # the type read from a slip, kept for a follow-up
            reset = (SlotSet("bed_type", feature.replace("-", " ")),)
        if wanted_type and feature is None:
            known = sorted({v for v in BED_FEATURES.values()})
            ctx.say(
                f"I don't know the bed type '{wanted_type}'. I know: "
                + ", ".join(k.replace("-", " ") for k in known)
                + ".",
                kind="unknown_bed_type",
                data={"value": wanted_type, "suggestions": known},
            )
            return Outcome("refused", events=reset, reason="bed_type")
        kind_words = f"{feature.replace('-', ' ')} " if feature else ""
        ward_text = ctx.text("ward") or (MINE if says_own_ward(message) else said_ward(message))
        if not ward_text and not wanted_type:  # "any free beds on paediatric": NLU tagged none
            ward_text = ward_in_words(await ctx.hms.list_wards(), message)
        ward_text = own_ward(ctx, ward_text)
        said = said_beds(message)
        number = said[-1][0] if said else bed_number(ctx.text("bed"))[1]
        if not ward_text and number is not None:
            # "is bed 6 free?": a bed on the user's own ward when they have just one
            ward_text = bed_number(ctx.text("bed"))[0] or own_ward(ctx, MINE)
        if ward_text:
            ward = await known_ward(ctx, ward_text, self.intent)
            if ward is None:
                return Outcome("not_found", events=reset, reason="unknown_ward")
            if number is not None:
                return await self._one_bed(ctx, ward, number)
            status = status_asked(message, ctx.text("bed_status"))
            wards = await self._wards_asked(ctx, message, ward)
            listed: list[str] = []
            for asked_ward in wards:  # "on ICU and on 7"
                listed += await self._ward_beds(ctx, asked_ward, feature, status)
            one = len(wards) == 1
            events = (
                *reset,
                *asked_about(status, listed if one else [], ward.code if one else None),
            )
            return Outcome(events=events, resource=f"Location/{ward.id}")
        status = status_asked(message, ctx.text("bed_status"))
        if feature or status != "U":
            beds = await ctx.hms.find_beds(None, status, feature)
            names = {w.code: w.name for w in await ctx.hms.list_wards()}
            by_ward: dict[str, int] = {}
            for bed in beds:
                by_ward[bed.ward_code or "?"] = by_ward.get(bed.ward_code or "?", 0) + 1
            data: dict[str, Any] = {
                "feature": feature,
                "wards": by_ward,
                **({"status": status} if status != "U" else {}),
            }
            which = (
                f"free {kind_words}beds"
                if status == "U"
                else f"{kind_words}beds {STATUS_PHRASES[status]}"
            )
            if not beds:
                ctx.say(
                    f"There are no {which} in the hospital right now.",
                    kind="check_bed_availability_none",
                    data=data,
                )
            else:
                parts = ", ".join(
                    f"{names.get(w, 'Ward ' + w)}: {n}" for w, n in sorted(by_ward.items())
                )
                ctx.say(
                    f"{which[0].upper()}{which[1:]} hospital-wide: {parts}.",
                    kind="check_bed_availability_success",
                    data=data,
                )
            return Outcome(events=(*reset, *asked_about(status)), resource="Location")
        summary = await ctx.hms.bed_summary()
        total = sum(s.free for s in summary)
        parts = ", ".join(f"{s.ward_name} {s.free} of {s.total}" for s in summary if s.total)
        ctx.say(
            f"{total} free bed{'s' if total != 1 else ''} hospital-wide: {parts}. "
            "Ask about a ward for the bed numbers.",
            kind="check_bed_availability_summary",
            data={
                "wards": [
                    {"ward": s.ward_code, "name": s.ward_name, "free": s.free, "total": s.total}
                    for s in summary
                ]
            },
        )
        return Outcome(events=reset, resource="Location")

    async def _ward_beds(
        self, ctx: ActionContext, ward: Ward, feature: str | None, status: str
    ) -> list[str]:
        """The beds of one ward in the status asked (free unless another is named); the
        ids of those listed."""
        kind_words = f"{feature.replace('-', ' ')} " if feature else ""
        beds = await ctx.hms.find_beds(ward.code, status, feature)
        data: dict[str, Any] = {
            "ward": ward.code,
            "feature": feature,
            "beds": [bed_data(b) for b in beds],
            **({"status": status} if status != "U" else {}),
        }
        asked = STATUS_PHRASES[status]
        if not beds:
            ctx.say(
                f"No {kind_words}beds {asked} on {ward.name} right now."
                if status != "U"
                else f"No free {kind_words}beds on {ward.name} right now.",
                kind="check_bed_availability_none",
                data=data,
            )
        else:
            listed = "; ".join(describe(b) for b in beds[:6])
            more = f" and {len(beds) - 6} more" if len(beds) > 6 else ""
            plural = "s" if len(beds) != 1 else ""
            ctx.say(
                f"{ward.name} has {len(beds)} {kind_words}bed{plural} {asked}: {listed}{more}."
                if status != "U"
                else f"{ward.name} has {len(beds)} free {kind_words}bed{plural}: {listed}{more}.",
                kind="check_bed_availability_success",
                data=data,
            )
        return [b.id for b in beds]

    async def _wards_asked(self, ctx: ActionContext, message: str, ward: Ward) -> list[Ward]:
        """Every ward one question names, in its order ("any free beds on ICU and on 7?");
        just ``ward`` for one, or for a correction ("on 7 not ICU")."""
        from actions.state import Turn

        said = [v for v, _ in Turn.of(ctx.tracker).values("ward")]
        if len(said) < 2 or _NOT_BOTH.search(message):
            return [ward]
        wards = await ctx.hms.list_wards()
        found: list[Ward] = []
        for value in said:
            match = resolve_ward(wards, value)
            hit = next((w for w in wards if w.code == match.value), None)
            if hit is not None and hit not in found:
                found.append(hit)
        return found if ward in found else [ward]

    async def _one_bed(self, ctx: ActionContext, ward: Ward, number: str) -> Outcome:
        """'is bed twelve on 4B free?': that bed's status."""
        try:
            bed = await ctx.hms.get_bed(ward.code, number)
        except NotFound:
            ctx.say(
                f"There's no bed {number} on {ward.name}.",
                kind="unknown_bed",
                data={"ward": ward.code, "value": number, "suggestions": []},
            )
            return Outcome("not_found", resource=f"Location/{ward.id}")
        free = bed.status == "U"
        state = "free" if free else "not free: " + STATUS_PHRASES.get(bed.status or "", "unknown")
        ctx.say(
            f"{bed.label} is {state}.",
            kind="check_bed_availability_success" if free else "check_bed_availability_none",
            data={
                "ward": ward.code,
                "feature": None,
                "beds": [bed_data(bed)] if free else [],
                "bed": bed.label,
                "status": bed.status,
            },
        )
        # the bed asked about, for "mark it as needing cleaning" / "close it" right after
        kept = {"listed": [bed.id], "on_ward": ward.code}
        return Outcome(events=(SlotSet("last_task", kept),), resource=f"Location/{bed.id}")


def asked_not_told(ctx: ActionContext) -> bool:
    """The message that asked for the change is a question about the bed ("is 4B bed 12
    clean?"): NLU read a change, but nobody asked for one."""
    from actions.reading import asks_how_things_are
    from actions.state import Turn

    turn = Turn.of(ctx.tracker)
    return turn.intent == "update_bed_status" and asks_how_things_are(turn.text)


def take_back(ctx: ActionContext, changed: str) -> tuple[str, dict[str, str]] | None:
    """After "no wait, bed 4" corrected a change just made to another bed: the sentence
    and the button that put that bed back (the user decides; nothing is undone unasked)."""
    from actions.followup import corrects_a_write
    from actions.state import Turn

    last = ctx.tracker.get_slot("last_task")
    undo = last.get("undo") if isinstance(last, dict) else None
    if not isinstance(undo, dict) or undo.get("bed_id") == changed:
        return None
    if not corrects_a_write(ctx.tracker, Turn.of(ctx.tracker)) or undo.get("status") not in (
        STATUS_PHRASES
    ):
        return None
    was = STATUS_PHRASES[str(undo["status"])]
    payload = (
        f'/update_bed_status{{"ward":"{undo["ward"]}","bed":"{undo["bed"]}",'
        f'"bed_status":"{undo["status"]}"}}'
    )
    return (
        f"{undo['label']} was changed just before; put it back to {was}?",
        {"title": f"Put {undo['label']} back to {was}", "payload": payload},
    )


async def write_change(
    ctx: ActionContext,
    bed: Bed,
    code: str,
    back: tuple[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Write ``bed``'s new status and say so; what was changed (for an undo: the status it
    had, ``status``, and the one it has now, ``now``). ``back``: the sentence and button
    that put another bed just changed back (``take_back``)."""
    before = STATUS_PHRASES.get(bed.status or "", "unknown")
    updated = await ctx.hms.set_bed_status(bed.id, code)
    ctx.say(
        f"Done: {updated.label} is now {STATUS_PHRASES[code]} (was {before})."
        + (f" {back[0]}" if back else ""),
        kind="update_bed_status_success",
        data=bed_data(updated),
        buttons=[back[1]] if back and back[1] else None,
    )
    return {
        "bed_id": bed.id,
        "label": bed.label,
        "ward": bed.ward_code or "",
        "bed": bed.label.rsplit(" ", 1)[-1],
        "status": bed.status or "",
        "now": code,
    }


def several_beds(ctx: ActionContext) -> list[Any]:
    """The beds a typed change names when it names more than one (``actions.bedplaces``);
    empty for one bed, a button or a question about the beds."""
    from actions.bedplaces import Place, places_said
    from actions.followup import listed_beds_cleaned
    from actions.state import Turn

    turn = Turn.of(ctx.tracker)
    every = listed_beds_cleaned(ctx.tracker)
    if every is not None and len(every[1]) > 1:  # "both done" right after a cleaning list
        return [Place(bed, every[0], "clean") for bed in every[1]]
    if turn.is_payload or asked_not_told(ctx) or _NOT_BOTH.search(turn.text):
        return []  # a button, a question, or a correction ("bed 20, sorry I mean bed 17")
    places = places_said(turn.text, turn.values("ward"))
    return places if len({(p.ward, p.bed) for p in places}) > 1 else []


def cleans_beds(ctx: ActionContext) -> bool:
    """The user's role does housekeeping jobs (``handles`` in the role policy): their bed
    changes are cleaning, not admissions or discharges."""
    return "housekeeping" in ctx.services.policy.help_types_handled(ctx.staff.roles)


class ActionUpdateBedStatus(GuardedAction):
    intent = "update_bed_status"
    activity = "Changing a bed's status"

    def instead(self, services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
        from actions.jobs import a_job_not_a_bed  # (actions.jobs imports this module)

        return a_job_not_a_bed(services, staff, tracker)

    async def perform(self, ctx: ActionContext) -> Outcome:
        reset: tuple[dict[str, Any], ...] = ()  # the task's slots are cleared when it ends
        if waits_for_answer(ctx):  # the yes or no to "... is occupied - close it anyway?"
            instead = another_bed_instead(ctx)
            if instead is None:
                return await answer(ctx)
            await answer(ctx)  # "block bed 2" instead: "OK, bed 9 stays occupied", then bed 2
            return await self._instead(ctx, instead)
        code = bed_status_code(ctx.text("bed_status"))
        several = several_beds(ctx)
        if several:  # "close HDU bed 12 and CCU bed 10": each bed on its own ward
            from actions.bedmany import change_beds

            return await change_beds(ctx, several, code, self.intent)
        ward_hint, number = bed_number(ctx.text("bed"))
        ward_text = own_ward(ctx, ctx.text("ward")) or ward_hint
        ward = await known_ward(ctx, ward_text, self.intent) if ward_text else None
        if ward_text and ward is None:
            return Outcome("not_found", events=reset, reason="unknown_ward")
        if ward is not None:  # another ward's bed: refused before anything else is asked
            ctx.check_ward(ward.code)
        if code is None or number is None or ward is None:
            ctx.say(
                "I need the ward, the bed number and the new status (free, occupied, "
                "needs cleaning, closed, contaminated or isolated).",
                kind="update_bed_status_invalid",
            )
            return Outcome("refused", events=reset, reason="missing_slots")
        try:
            bed = await ctx.hms.get_bed(ward.code, number)
        except NotFound:
            ctx.say(
                f"There's no bed {number} on {ward.name}.",
                kind="unknown_bed",
                data={"ward": ward.code, "bed": number, "value": number, "suggestions": []},
            )
            return Outcome("not_found", events=reset, resource=f"Location/{ward.id}")
        if asked_not_told(ctx):
            return self._answer_only(ctx, bed, code, ward, number)
        if bed.status == code:
            ctx.say(
                f"{bed.label} is already {STATUS_PHRASES[code]}.",
                kind="update_bed_status_unchanged",
                data=bed_data(bed),
            )
            return Outcome(events=reset, resource=f"Location/{bed.id}", detail="unchanged")
        if cleans_beds(ctx) and bed.status == "O" and code in ("U", "H"):
            # housekeeping's "done bed 5" / "bed 5 cleaned" on a bed with a patient in it:
            # a slip (another bed meant), never a discharge - the bed would show free
            ctx.say(
                f"{bed.label} is occupied, so it isn't waiting for cleaning: nothing changed. "
                "Check the bed number; once the patient has left, the ward or the bed manager "
                "frees it."
                if code == "U"
                else f"{bed.label} is occupied, so it can't be marked for cleaning yet: nothing "
                "changed. Check the bed number; once the patient has left, the ward or the bed "
                "manager marks it. (A spill or mess at an occupied bed is a housekeeping request.)",
                kind="update_bed_status_occupied",
                data=bed_data(bed),
            )
            return Outcome(
                "conflict", events=reset, resource=f"Location/{bed.id}", reason="occupied"
            )
        if asks_first(bed, code) and not more_clauses_follow(ctx):
            # "close ICU bed 6" with a patient in it: asked first
            return Outcome(events=ask(ctx, [(bed, code)]), resource=f"Location/{bed.id}")
        back = take_back(ctx, bed.id)
        if back is None and asks_first(bed, code):
            back = (OCCUPIED_NOTE, {})
        # what was changed, so a correction right after ("no wait, bed 4") can offer it back
        undo = await write_change(ctx, bed, code, back)
        remembered = SlotSet("last_task", {"undo": undo})
        return Outcome(
            events=(*reset, remembered),
            resource=f"Location/{bed.id}",
            detail=f"{bed.status}->{code}",
        )

    async def _instead(self, ctx: ActionContext, change: dict[str, str]) -> Outcome:
        """The change asked for in place of an answer, with the question cleared."""
        from actions.samecall import with_slots

        events = [SlotSet("pending", None), SlotSet("confirmed", None)]
        events += [SlotSet(slot, value) for slot, value in change.items()]
        done = await self.perform(replace(ctx, tracker=with_slots(ctx.tracker, events)))
        return replace(done, events=(*events, *done.events))

    def _answer_only(
        self, ctx: ActionContext, bed: Bed, code: str, ward: Ward, number: str
    ) -> Outcome:
        """A question about the bed: its status now, nothing changed; a button makes the
        change if that was what the user wanted."""
        now = STATUS_PHRASES.get(bed.status or "", "unknown")
        same = bed.status == code
        ctx.say(
            f"{bed.label} is {now}"
            + ("." if same else f", not {STATUS_PHRASES[code]}.")
            + ("" if same else " I haven't changed anything."),
            kind="update_bed_status_asked",
            data=bed_data(bed) | {"asked": code, "changed": False},
            buttons=None
            if same
            else [
                {
                    "title": f"Mark {bed.label} {STATUS_PHRASES[code]}",
                    "payload": f'/update_bed_status{{"ward":"{ward.code}","bed":"{number}",'
                    f'"bed_status":"{code}"}}',
                }
            ],
        )
        return Outcome(resource=f"Location/{bed.id}", detail="asked")
