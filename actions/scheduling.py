"""Shared steps of the appointment actions: identify the patient, offer, choose, confirm.

Records are chosen only among those the assistant offered: the offer is kept in the
action-set ``offered`` slot, a choice (button payload, "the second one", "the 10:30") must
be one of them, and a payload naming anything else is refused. What the user is asked to
confirm is kept in the action-set ``confirmed`` slot; the write re-reads the record and
goes ahead only when patient and record are still exactly what was confirmed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.events import SlotSet

from actions.base import ActionContext
from actions.formats import MrnFormat, clinic_word
from actions.slotpick import ordinal_pick, takes_the_one
from actions.state import YES_NO, pending_intent, pending_step, slots_set_this_turn
from actions.timeparse import names_day, parse_time_preference
from assistant.hms.errors import NotFound
from assistant.hms.models import Appointment, Patient, Slot

OFFER_COUNT = 3
SEARCH_COUNT = 12
NEAR_EXACT = timedelta(hours=2)  # an exact time's search starts this much before it
SLOT_SPAN = timedelta(minutes=30)  # the longest clinic slot
FLOW_SLOTS = ("pending", "offered", "confirmed", "offer_after")


class PatientMismatch(Exception):
    """MRN and name do not identify the same patient."""


class NotOffered(Exception):
    """A choice (e.g. an injected button payload) names a record that was not offered."""


def clear(*names: str) -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in names]


def norm(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


def step(ctx: ActionContext, intent: str) -> str | None:
    """This intent's waiting step ('offer', 'confirm', 'pick'), if it is the one pending."""
    pending = ctx.slot("pending")
    return pending_step(pending) if pending_intent(pending) == intent else None


def pending(intent: str, name: str) -> dict[str, Any]:
    return SlotSet("pending", f"{intent}:{name}")


def changed_this_turn(ctx: ActionContext, slot: str) -> bool:
    return slots_set_this_turn(ctx.tracker).get(slot) not in (None, "")


def asks_another_time(ctx: ActionContext) -> bool:
    """While slots are offered or one confirmed: the message set a new time, and it is not
    one of the offered slots typed ("Tue 8 Dec at 10:00", a button's title sent as text by
    a kiosk or typed: that slot is chosen, see ``another_offered``)."""
    if not changed_this_turn(ctx, "time"):
        return False
    try:
        return chosen(ctx, "slot") is None
    except NotOffered:
        return False


async def identify_patient(
    ctx: ActionContext, *, mrn_said: str | None = None, name_said: str | None = None
) -> Patient:
    """Two identifiers: the MRN and the name must both match the same Patient (the slots',
    or values read from the user's words)."""
    mrn = MrnFormat(ctx.services.settings.mrn_pattern).find(mrn_said or ctx.text("mrn")) or ""
    name = norm(name_said or ctx.text("patient_name") or "")
    if not mrn or not name:
        raise PatientMismatch
    for patient in await ctx.hms.find_patients(mrn=mrn):
        if same_patient(patient, mrn, name):
            return patient
    raise PatientMismatch


def same_patient(patient: Patient, mrn: str, name: str) -> bool:
    """The MRN and the name (full, family-first or family only) are this patient's."""
    full = norm(patient.display_name)
    reversed_name = norm(f"{patient.family} {patient.given}")
    known = (full, reversed_name, norm(patient.family))
    said = norm(name)
    # "Kerry Demirs appointment", "Kerry Demir's": the possessive is not part of the name
    plain = re.sub(r"(?:'s?|s)$", "", said)
    return patient.mrn == mrn and (said in known or plain in known)


def say_mismatch(ctx: ActionContext, kind: str) -> None:
    ctx.say(
        "That MRN and name don't belong to the same patient, so I've stopped. "
        "Please check both and start again.",
        kind="unknown_patient",
        data={"value": None, "suggestions": [], "intent": kind},
    )


def when(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return "an unknown time"
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def patient_data(patient: Patient) -> dict[str, Any]:
    return {
        "patient_ref": f"Patient/{patient.id}",
        "initials": patient.initials,
        "mrn_last4": patient.mrn_last4,
    }


async def clinic_of(ctx: ActionContext) -> tuple[str | None, str]:
    """The clinic's service code (None for a clinician's own) and how it is named."""
    department = ctx.text("department")
    if department:
        service = await ctx.hms.get_service(department)
        return service.code, service.name
    clinician = ctx.text("clinician")
    if clinician == "mine":
        return None, "your clinic"
    found = await ctx.hms.find_staff(username=clinician) if clinician else []
    if found and found[0].name:
        return None, f"Dr {found[0].name.split()[-1]}'s clinic"
    return None, "clinic"


def slots_in(what: str) -> str:
    """ "Cardiology Clinic slots", but "slots in your clinic" (never "your clinic slots")
    and "slots in Dr Carter's clinic" ("any free slots with dr carter next week" read
    "Free Dr Carter's clinic slots")."""
    if what == "your clinic" or what.endswith("'s clinic"):
        return f"slots in {what}"
    return f"{what} slots"


async def find_practitioner(ctx: ActionContext) -> str | None:
    clinician = ctx.text("clinician")
    if not clinician or clinician == "mine":
        return ctx.staff.id if clinician == "mine" else None
    found = await ctx.hms.find_staff(username=clinician)
    if not found:
        raise NotFound("clinician")
    return found[0].id


async def patient_busy(
    ctx: ActionContext, patient_id: str, except_id: str | None = None
) -> list[tuple[datetime, datetime]]:
    """When the patient already has a booked appointment (but ``except_id``, the one being
    moved): a slot then would book them twice at once."""
    appts = await ctx.hms.list_appointments(patient_id=patient_id)
    return [
        (a.start, a.end or a.start + timedelta(minutes=1))
        for a in appts
        if a.start is not None and a.id != except_id
    ]


def _clashes(slot: Slot, busy: list[tuple[datetime, datetime]]) -> bool:
    return any(slot.start < end and start < slot.end for start, end in busy)


async def nearest_slots(
    ctx: ActionContext,
    service_code: str | None,
    practitioner_id: str | None,
    after: str | None = None,
    busy: list[tuple[datetime, datetime]] | None = None,
) -> tuple[list[Slot], bool]:
    """The 3 free slots nearest the user's time preference, none at a time the patient is
    already booked (``busy``); bool: they match it."""
    tz = ctx.services.settings.hospital_tz
    pref = parse_time_preference(ctx.text("time"), ctx.now, tz)
    start = pref.earliest if pref else ctx.now
    if pref is not None and pref.exact:
        # "the 3pm one": search around that time, not from the start of the day (the
        # first SEARCH_COUNT slots of a busy day may all be hours before it)
        start = max(start, pref.target - NEAR_EXACT)
    if after:
        start = max(start, datetime.fromisoformat(after))
    slots = await ctx.hms.free_slots(
        service_code, practitioner_id, start_from=start, count=SEARCH_COUNT
    )
    slots = _distinct_times([s for s in slots if s.start >= start and not _clashes(s, busy or [])])
    if pref is None:
        return slots[:OFFER_COUNT], True
    inside = [s for s in slots if pref.contains(s.start)]
    if inside:
        inside.sort(key=lambda s: (abs((s.start - pref.target).total_seconds()), s.start))
        return sorted(inside[:OFFER_COUNT], key=lambda s: s.start), True
    return slots[:OFFER_COUNT], False


def _distinct_times(slots: list[Slot]) -> list[Slot]:
    """One slot per start time (several clinicians may share a clinic session)."""
    seen: set[datetime] = set()
    out = []
    for slot in sorted(slots, key=lambda s: s.start):
        if slot.start not in seen:
            seen.add(slot.start)
            out.append(slot)
    return out


def offer(
    ctx: ActionContext,
    slots: list[Slot],
    matched: bool,
    *,
    kind: str,
    what: str,
    prefix: str = "",
    intent: str,
    later: bool = False,
    busy: list[tuple[datetime, datetime]] | None = None,
) -> list[dict[str, Any]]:
    """Offer ``slots``; ``later``: they were asked for after the ones offered before ("any
    later ones?", "Other times"), so none of them at the time first asked is no news."""
    tz = ctx.services.settings.hospital_tz
    if not slots:
        ctx.say(
            f"{prefix}There are no free {slots_in(what)} in the next two weeks. "
            "Would you like the help desk to arrange it?",
            kind=f"{kind}_no_slots",
            buttons=[{"title": "Contact the help desk", "payload": "/talk_to_human"}],
        )
        return clear(*FLOW_SLOTS)
    lead = "Free" if matched else "Nothing free at that time; the nearest free"
    if later and not matched:
        lead = "The next free"
    missed = None if later else time_not_free(ctx, slots, intent)
    if missed:
        lead = f"{missed} is not free; the nearest free"
    if missed and _within(ctx, busy or []):
        # "book Leo Okafor 10013521 into the 2nd one" right after that slot was listed
        # free: it is free, but he has another appointment then
        lead = f"The patient already has an appointment around {missed}; the nearest free"
    buttons = [
        {"title": when(s.start, tz), "payload": f'/inform{{"slot_id":"{s.id}"}}'} for s in slots
    ]
    buttons.append({"title": "Other times", "payload": "/deny"})
    ctx.say(
        f"{prefix}{lead} {slots_in(what)}: "
        + "; ".join(b["title"] for b in buttons[:-1])
        + ". Which one?",
        kind=f"{kind}_offer",
        buttons=buttons,
        data={"slots": [{"id": s.id, "start": s.start.isoformat()} for s in slots]},
    )
    last = max(s.start for s in slots) + timedelta(seconds=1)
    offered = {
        "kind": "slot",
        "ids": [s.id for s in slots],
        "starts": [s.start.isoformat() for s in slots],
    }
    return [
        pending(intent, "offer"),
        SlotSet("offered", offered),
        SlotSet("confirmed", None),
        SlotSet("offer_after", last.isoformat()),
    ]


def _within(ctx: ActionContext, busy: list[tuple[datetime, datetime]]) -> bool:
    """A slot at the time asked would overlap one of the patient's own appointments
    (``busy``; clinic slots are at most ``SLOT_SPAN`` long)."""
    pref = parse_time_preference(ctx.text("time"), ctx.now, ctx.services.settings.hospital_tz)
    if pref is None:
        return False
    return any(start < pref.target + SLOT_SPAN and pref.target < end for start, end in busy)


def time_not_free(ctx: ActionContext, slots: list[Slot], intent: str) -> str | None:
    """ "book Kerry Demir into neurology on wed 9 dec at 10:20" when 10:20 is taken (or the
    patient is booked then): the clock time asked, said back, as none of the slots offered
    starts then - the offer read "Free Neurology Clinic slots: 09:40; 10:00; 11:00" and
    "what about 10:40" got the same list, never saying either time was not free. Said when
    the time is new (the first offer, or a time said at the offer), not on every re-offer."""
    if step(ctx, intent) is not None and not changed_this_turn(ctx, "time"):
        return None
    tz = ctx.services.settings.hospital_tz
    pref = parse_time_preference(ctx.text("time"), ctx.now, tz)
    if pref is None or not pref.exact or any(s.start == pref.target for s in slots):
        return None
    return when(pref.target, tz)


def chosen(ctx: ActionContext, kind: str) -> str | None:
    """The offered record the user picked, or None; ``NotOffered`` for a payload naming a
    record that was not offered (kind: 'slot' | 'appointment')."""
    offered = ctx.slot("offered") or {}
    ids = list(offered.get("ids") or []) if offered.get("kind") == kind else []
    message = ctx.tracker.latest_message or {}
    named = [
        str(e.get("value"))
        for e in message.get("entities") or []
        if e.get("entity") == f"{kind}_id" and e.get("value")
    ]
    if named:
        if named[-1] not in ids:
            raise NotOffered(named[-1])
        return named[-1]
    text = str(message.get("text") or "")
    index = ordinal_pick(text, len(ids))
    if index is not None:
        return ids[index]
    if len(ids) == 1 and takes_the_one(text, ctx.intent):
        return ids[0]  # "yes", "that one" to an offer of one slot: that slot
    return _by_time(
        text, ids, offered.get("starts") or [], ctx.now, ctx.services.settings.hospital_tz
    )


def pick_again(ctx: ActionContext) -> str:
    """What to say before the slots offered again when none was chosen: a yes to several
    is told plainly that one of them is needed."""
    text = str((ctx.tracker.latest_message or {}).get("text") or "")
    if takes_the_one(text, ctx.intent):
        return "There are several times, so please say which one (the time, or 'the first'). "
    return "Please pick one of these. "


def chosen_or_by_clinic(ctx: ActionContext, appts: list[Appointment]) -> str | None:
    """``chosen``, else "the dermatology one": the one offered appointment in the clinic
    the message names."""
    picked = chosen(ctx, "appointment")
    department = ctx.text("department")
    if picked or not department:
        return picked
    offered = ctx.slot("offered") or {}
    ids = set(offered.get("ids") or []) if offered.get("kind") == "appointment" else set()
    same = [
        a
        for a in appts
        if a.id in ids and (a.service_code or "").casefold() == department.casefold()
    ]
    return same[0].id if len(same) == 1 else None


def another_offered(ctx: ActionContext) -> bool:
    """A typed message naming an offered slot other than the one being confirmed ("no,
    the first one", "can we do the 09:20 instead"): that one is chosen, whatever NLU read
    the message as (a "no" included)."""
    if str(ctx.tracker.latest_message.get("text") or "").lstrip().startswith("/"):
        return False
    try:
        other = chosen(ctx, "slot")
    except NotOffered:
        return False
    return other is not None and other != (ctx.slot("confirmed") or {}).get("slot_id")


def offered_at(offered: Any, text: str, now: datetime, tz: str) -> str | None:
    """The offered record (``offered`` slot) a message names by its time ("can we do the
    09:20 instead"), or None."""
    if not isinstance(offered, dict):
        return None
    return _by_time(text, list(offered.get("ids") or []), offered.get("starts") or [], now, tz)


# "the 11 one": the hour said with "one" after it (read as 11:01 otherwise)
_ONE_AFTER_HOUR = re.compile(r"\b(\d{1,2})\s+ones?\b", re.I)
_NUMBER = re.compile(r"\b\d{1,2}\b")


def _by_bare_hour(text: str, ids: list[str], starts: list[str], tz: str) -> str | None:
    """ "ok 11 then" to "Free Neurology Clinic slots: 09:40; 10:00; 11:00" -> the one
    offered slot on the hour said (it was "Please pick one of these."); a number that could
    be a choice's place (1 to one past the last) is left to ``ordinal_pick``."""
    numbers = re.findall(r"\d+", text)
    found = _NUMBER.findall(text)
    if len(numbers) != 1 or len(found) != 1 or ":" in text or int(found[0]) <= len(ids) + 1:
        return None
    hour, zone = int(found[0]), ZoneInfo(tz)
    hours = {hour, hour + 12} if 1 <= hour <= 7 else {hour}
    hits = [
        i
        for i, start in zip(ids, starts, strict=True)
        if (local := datetime.fromisoformat(start).astimezone(zone)).minute == 0
        and local.hour in hours
    ]
    return hits[0] if len(hits) == 1 else None


def _by_time(text: str, ids: list[str], starts: list[str], now: datetime, tz: str) -> str | None:
    """'the 10:30 one', 'thursday at 2', the button's title typed ('Tue 8 Dec at 10:00')
    -> the one offered record starting then (on that day, when the message names one)."""
    if not ids or len(starts) != len(ids) or not re.search(r"\d|o'?clock|half|quarter", text):
        return None
    pref = parse_time_preference(_ONE_AFTER_HOUR.sub(r"\1", text), now, tz)
    if pref is None or not pref.exact:
        return _by_bare_hour(text, ids, starts, tz)
    zone = ZoneInfo(tz)
    on_day = names_day(text, now, tz)
    target = pref.target.astimezone(zone)
    hits = [
        i
        for i, start in zip(ids, starts, strict=True)
        if (local := datetime.fromisoformat(start).astimezone(zone)).time() == target.time()
        and (not on_day or local.date() == target.date())
    ]
    return hits[0] if len(hits) == 1 else None


def ask_confirm(
    ctx: ActionContext,
    patient: Patient,
    slot: Slot,
    *,
    kind: str,
    verb: str,
    intent: str,
    what: str,
    appointment_id: str | None = None,
) -> list[dict[str, Any]]:
    tz = ctx.services.settings.hospital_tz
    ctx.say(
        f"{verb} {patient.initials} (MRN ending {patient.mrn_last4}) into {what} on "
        f"{when(slot.start, tz)}?",
        kind=f"{kind}_confirm",
        phi=True,
        buttons=YES_NO,
        data={**patient_data(patient), "slot_id": slot.id, "start": slot.start.isoformat()},
    )
    confirmed = {
        "patient_id": patient.id,
        "slot_id": slot.id,
        "start": slot.start.isoformat(),
        "appointment_id": appointment_id,
    }
    return [pending(intent, "confirm"), SlotSet("confirmed", confirmed)]


def still_confirmed(
    ctx: ActionContext,
    patient: Patient,
    *,
    slot: Slot | None = None,
    appt: Appointment | None = None,
) -> bool:
    """The write's re-check: same patient, same record, same time as confirmed."""
    confirmed = ctx.slot("confirmed") or {}
    if not isinstance(confirmed, dict) or confirmed.get("patient_id") != patient.id:
        return False
    if slot is not None and (
        confirmed.get("slot_id") != slot.id or confirmed.get("start") != slot.start.isoformat()
    ):
        return False
    return appt is None or (
        confirmed.get("appointment_id") == appt.id
        and appt.patient_id == patient.id
        and appt.status == "booked"
    )


def say_changed(ctx: ActionContext, kind: str) -> None:
    ctx.say(
        "The details changed after you confirmed, so I haven't done it. Please start again.",
        kind=f"{kind}_refused",
    )


def appointment_buttons(appts: list[Appointment], tz: str) -> list[dict[str, str]]:
    return [
        {
            "title": f"{clinic_word(a.service_code)}, {when(a.start, tz)}",
            "payload": f'/inform{{"appointment_id":"{a.id}"}}',
        }
        for a in appts
    ]


def offered_appointments(appts: list[Appointment]) -> dict[str, Any]:
    return {
        "kind": "appointment",
        "ids": [a.id for a in appts],
        "starts": [a.start.isoformat() if a.start else "" for a in appts],
    }


def narrow(ctx: ActionContext, appts: list[Appointment]) -> list[Appointment]:
    """Appointments matching the clinic and day the user named, if they named any."""
    tz = ctx.services.settings.hospital_tz
    department = ctx.text("department")
    if department:
        same = [a for a in appts if (a.service_code or "").casefold() == department.casefold()]
        appts = same or appts
    said = ctx.text("time") or _day_said(ctx)
    pref = parse_time_preference(said, ctx.now, tz)
    if pref is not None:
        day = pref.target.astimezone(ZoneInfo(tz)).date()
        same_day = [a for a in appts if a.start and a.start.astimezone(ZoneInfo(tz)).date() == day]
        appts = same_day or appts
    return appts


def _day_said(ctx: ActionContext) -> str | None:
    """The day the message names when NLU tagged none ("cancel Elif Owen 10034232
    orthopaedics appointment on the 17th" asked which of her three orthopaedics ones)."""
    from actions.timespan import time_in

    text = str((ctx.tracker.latest_message or {}).get("text") or "")
    if text.lstrip().startswith("/"):
        return None
    return time_in(text, ctx.now, ctx.services.settings.hospital_tz)
