"""Shared steps of the appointment actions: identify the patient, offer slots, confirm."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.events import SlotSet

from actions.base import ActionContext
from actions.timeparse import parse_time_preference
from assistant.hms.errors import NotFound
from assistant.hms.models import Appointment, Patient, Slot

OFFER_COUNT = 3
SEARCH_COUNT = 12
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
PATIENT_SLOTS = ("patient_name", "mrn")
FLOW_SLOTS = ("pending", "slot_id", "appointment_id", "offer_after")


class PatientMismatch(Exception):
    """MRN and name do not identify the same patient."""


def clear(*names: str) -> list[dict[str, Any]]:
    return [SlotSet(name, None) for name in names]


def norm(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").split())


async def identify_patient(ctx: ActionContext) -> Patient:
    """Two identifiers: the MRN and the name must both match the same Patient."""
    mrn = "".join(ch for ch in (ctx.text("mrn") or "") if ch.isdigit())
    name = norm(ctx.text("patient_name") or "")
    if not mrn or not name:
        raise PatientMismatch
    for patient in await ctx.hms.find_patients(mrn=mrn):
        full = norm(patient.display_name)
        reversed_name = norm(f"{patient.family} {patient.given}")
        if patient.mrn == mrn and name in (full, reversed_name, norm(patient.family)):
            return patient
    raise PatientMismatch


def say_mismatch(ctx: ActionContext, kind: str) -> None:
    ctx.say(
        "That MRN and name don't belong to the same patient, so I've stopped. "
        "Please check both and start again.",
        kind=f"{kind}_not_found",
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


async def find_practitioner(ctx: ActionContext) -> str | None:
    clinician = ctx.text("clinician")
    if not clinician:
        return None
    found = await ctx.hms.find_staff(username=clinician)
    if not found:
        raise NotFound("clinician")
    return found[0].id


async def nearest_slots(
    ctx: ActionContext,
    service_code: str | None,
    practitioner_id: str | None,
    after: str | None = None,
) -> tuple[list[Slot], bool]:
    """The 3 free slots nearest the user's time preference; bool: they match it."""
    tz = ctx.services.settings.hospital_tz
    pref = parse_time_preference(ctx.text("time"), ctx.now, tz)
    start = pref.earliest if pref else ctx.now
    if after:
        start = max(start, datetime.fromisoformat(after))
    slots = await ctx.hms.free_slots(
        service_code, practitioner_id, start_from=start, count=SEARCH_COUNT
    )
    slots = _distinct_times([s for s in slots if s.start >= start])
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
    pending: str,
) -> list[dict[str, Any]]:
    tz = ctx.services.settings.hospital_tz
    if not slots:
        ctx.say(
            f"{prefix}There are no free {what} slots in the next two weeks. "
            "Would you like the help desk to arrange it?",
            kind=f"{kind}_no_slots",
            buttons=[{"title": "Contact the help desk", "payload": "/talk_to_human"}],
        )
        return clear(*FLOW_SLOTS)
    lead = "Free" if matched else "Nothing free at that time; the nearest free"
    buttons = [
        {"title": when(s.start, tz), "payload": f'/inform{{"slot_id":"{s.id}"}}'} for s in slots
    ]
    buttons.append({"title": "Other times", "payload": "/deny"})
    ctx.say(
        f"{prefix}{lead} {what} slots: "
        + "; ".join(b["title"] for b in buttons[:-1])
        + ". Which one?",
        kind=f"{kind}_offer",
        buttons=buttons,
        data={"slots": [{"id": s.id, "start": s.start.isoformat()} for s in slots]},
    )
    last = max(s.start for s in slots) + timedelta(seconds=1)
    return [
        SlotSet("pending", pending),
        SlotSet("slot_id", None),
        SlotSet("offer_after", last.isoformat()),
    ]


def ask_confirm(
    ctx: ActionContext,
    patient: Patient,
    slot: Slot,
    *,
    kind: str,
    verb: str,
    pending: str,
    what: str,
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
    return [SlotSet("pending", pending)]


def appointment_buttons(appts: list[Appointment], tz: str) -> list[dict[str, str]]:
    return [
        {
            "title": f"{(a.service_code or 'clinic').title()}, {when(a.start, tz)}",
            "payload": f'/inform{{"appointment_id":"{a.id}"}}',
        }
        for a in appts
    ]
