"""Lists: a patient's appointments, a clinic's list for a day, who is in a ward's beds.

PHI: every list that names patients is marked ``phi`` and names them the minimum
necessary way - initials and the last four digits of the MRN - never a full name.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.events import ActiveLoop, SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.beds import STATUS_PHRASES, bed_number
from actions.clinicpick import entry_time
from actions.formats import MrnFormat, clinic_word
from actions.mrnname import name_asked_about
from actions.referent import PATIENT_SLOTS, patient_in_hand
from actions.scheduling import (
    PatientMismatch,
    identify_patient,
    offered_appointments,
    patient_data,
    say_mismatch,
    when,
)
from actions.state import Turn
from actions.timeparse import parse_time_preference
from assistant.hms.models import Appointment, Patient

LIST_MAX = 12


def _day(ctx: ActionContext) -> date:
    tz = ctx.services.settings.hospital_tz
    pref = parse_time_preference(ctx.text("time"), ctx.now, tz)
    moment = pref.target if pref else ctx.now
    return moment.astimezone(ZoneInfo(tz)).date()


def _day_words(day: date, today: date) -> str:
    if day == today:
        return "today"
    if (day - today).days == 1:
        return "tomorrow"
    return f"{day:%a} {day.day} {day:%b}"


async def _runs_no_session(
    ctx: ActionContext, code: str | None, practitioner: str | None, day: date
) -> bool:
    """Nothing booked and no free slot either on ``day``: the clinic does not run then."""
    zone = ZoneInfo(ctx.services.settings.hospital_tz)
    start = datetime.combine(day, time(0, 0), zone)
    slots = await ctx.hms.free_slots(code, practitioner, start_from=start, count=1)
    return not any(s.start.astimezone(zone).date() == day for s in slots)


class ActionListAppointments(GuardedAction):
    intent = "list_appointments"
    activity = "Reading appointments"

    async def perform(self, ctx: ActionContext) -> Outcome:
        tz, kind = ctx.services.settings.hospital_tz, self.intent
        mrn, name = ctx.text("mrn"), ctx.text("patient_name")
        said = str((ctx.tracker.latest_message or {}).get("text") or "")
        if not (mrn or name):
            # "what appointments does he have" right after booking him (or finding him):
            # that patient, never the user's own diary (actions.referent)
            meant = patient_in_hand(ctx.tracker, Turn.of(ctx.tracker), list(PATIENT_SLOTS))
            mrn, name = str(meant.get("mrn") or ""), str(meant.get("patient_name") or "")
        if not name and not said.lstrip().startswith("/"):
            # "what appts does emily lloyd have": a name NLU did not tag (lower case) is
            # still a patient's, never the user's own diary
            name = name_asked_about(said, MrnFormat(ctx.services.settings.mrn_pattern))
        kept = (SlotSet("patient_name", name),) if name and not ctx.text("patient_name") else ()
        if bool(mrn) != bool(name):
            # patient identification needs two identifiers, for reads too: the other one is
            # asked once, and read from the answer's words ("1064 3380", "Rhys Kaur")
            asked = ctx.slot("pending") == f"{kind}:{IDENTIFY}"
            mrn, name = other_identifier(ctx, mrn, name) if asked else (mrn, name)
            if not (mrn and name) and not asked:
                missing = "patient_name" if mrn else "mrn"
                ctx.say(
                    "And the patient's full name?" if mrn else "And the patient's MRN?",
                    kind=f"ask_{missing}",
                    data={"slot": missing},
                )
                return Outcome("refused", reason="one_identifier", events=(
                    SlotSet("pending", f"{kind}:{IDENTIFY}"), *kept,
                ))  # fmt: skip
            if not (mrn and name):
                ctx.say(
                    "To list a patient's appointments I need two identifiers: the MRN and "
                    "the patient's full name together, e.g. \"appointments for Jane Doe "
                    'MRN 10004821".',
                    kind=f"{kind}_need_identifiers",
                )
                return Outcome("not_found", reason="one_identifier")
        if mrn and name:
            try:
                patient = await identify_patient(ctx, mrn_said=mrn, name_said=name)
            except PatientMismatch:
                say_mismatch(ctx, kind)
                return Outcome("not_found", reason="patient_mismatch")
            appts = await ctx.hms.list_appointments(patient_id=patient.id)
            who = f"{patient.initials} (MRN ending {patient.mrn_last4})"
            data, ref = patient_data(patient), f"Patient/{patient.id}"
        else:
            today = ctx.now.astimezone(ZoneInfo(tz)).date()
            appts = await ctx.hms.list_appointments(practitioner_id=ctx.staff.id, date=today)
            who, data, ref = "you today", {}, None
        if not appts:
            ctx.say(
                f"No booked appointments for {who}.", kind=f"{kind}_none", phi=bool(ref), data=data
            )
            return Outcome(resource="Appointment", patient_ref=ref)
        lines = "; ".join(f"{clinic_word(a.service_code)} {when(a.start, tz)}" for a in appts[:8])
        ctx.say(
            f"Booked appointments for {who}: {lines}.",
            kind=f"{kind}_success",
            phi=True,
            data={**data, "appointments": [_appt(a) for a in appts]},
        )
        if ref is None:
            return Outcome(resource="Appointment", patient_ref=ref)
        # for "cancel the first one" / "move the 11:00 one to friday" right after: the
        # appointments in the order said and the patient they are for (actions.followup)
        listed = {"patient": {"patient_name": name, "mrn": mrn}}
        listed["listed_appointments"] = offered_appointments(appts[:8])
        return Outcome(
            events=(SlotSet("last_task", listed),), resource="Appointment", patient_ref=ref
        )


IDENTIFY = "identify"  # the pending step: the other identifier was asked


def other_identifier(
    ctx: ActionContext, mrn: str | None, name: str | None
) -> tuple[str | None, str | None]:
    """The identifier that was asked for, read from the answer's words when no slot took
    it (an MRN said in groups, "1064 3380"; a bare name NLU did not tag)."""
    from actions.formats import MrnFormat
    from actions.slotvalues import patient_name_in
    from actions.state import Turn

    text = Turn.of(ctx.tracker).text
    if not mrn:
        mrn = MrnFormat(ctx.services.settings.mrn_pattern).find(text)
    if not name:
        name = patient_name_in(text)
    return mrn, name


def _appt(a: Appointment, patient: Patient | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "service": a.service_code,
        "start": a.start.isoformat() if a.start else None,
    }
    if patient is not None:
        out.update(initials=patient.initials, mrn_last4=patient.mrn_last4)
    return out


class ActionListClinicAppointments(GuardedAction):
    intent = "list_clinic_appointments"
    activity = "Reading a clinic's list"

    async def perform(self, ctx: ActionContext) -> Outcome:
        kind, tz = self.intent, ctx.services.settings.hospital_tz
        day = _day(ctx)
        today = ctx.now.astimezone(ZoneInfo(tz)).date()
        code, clinician = ctx.text("department"), ctx.text("clinician")
        practitioner, title = None, None
        if clinician == "mine" and not code:
            if "clinician" not in ctx.staff.roles:
                # not a clinician: no clinic of their own - the form asks which clinic
                events = (SlotSet("clinician", None), SlotSet("requested_slot", "department"))
                return Outcome("refused", (*events, ActiveLoop(f"{self.intent}_form")))
            practitioner, title = ctx.staff.id, "Your clinic"
        elif clinician and not code:
            found = await ctx.hms.find_staff(username=clinician)
            practitioner = found[0].id if found else None
            title = f"Dr {found[0].name.split()[-1]}'s clinic" if found else clinician
        if code:
            service = await ctx.hms.get_service(code)
            code, title = service.code, service.name
        appts = await ctx.hms.list_appointments(
            practitioner_id=practitioner, date=day, service_code=code
        )
        when_words = _day_words(day, today)
        data: dict[str, Any] = {"department": code, "date": day.isoformat(), "count": len(appts)}
        if not appts:
            named = "your clinic" if title == "Your clinic" else title
            if day > today and await _runs_no_session(ctx, code, practitioner, day):
                # "is there a clinic on saturday": none runs, which is not "nothing booked"
                on = "" if when_words in ("today", "tomorrow") else "on "
                text = f"{title} has no session {on}{when_words}: nothing booked, no free slots."
            else:
                text = f"No booked appointments in {named} {when_words}."
            ctx.say(text, kind=f"{kind}_none", data=data)
            return Outcome(resource="Appointment", detail=f"clinic={code or 'own'}")
        asked = entry_time(ctx.tracker)  # "who's the 12 o'clock" right after this list
        that = [a for a in appts if a.start and a.start.isoformat() == asked] if asked else []
        appts = that or appts
        asked = asked if that else None
        rows = []
        for appt in appts[:LIST_MAX]:
            patient = await ctx.hms.get_patient(appt.patient_id) if appt.patient_id else None
            rows.append((appt, patient))
        local = ZoneInfo(tz)
        lines = "; ".join(
            f"{a.start.astimezone(local):%H:%M} {p.initials if p else '?'}"
            f"{f' (MRN ending {p.mrn_last4})' if p else ''}"
            for a, p in rows
            if a.start
        )
        more = f" and {len(appts) - LIST_MAX} more" if len(appts) > LIST_MAX else ""
        ctx.say(
            f"{title} {when_words}: {lines}."
            if asked is not None  # the one entry asked about, not a count
            else f"{title} {when_words}: {len(appts)} booked - {lines}{more}.",
            kind=f"{kind}_success",
            phi=True,
            data={**data, "appointments": [_appt(a, p) for a, p in rows]},
        )
        starts = [a.start.isoformat() for a, _ in rows if a.start]
        listed = SlotSet("last_task", {"clinic_listed": starts})  # times only, no patient
        return Outcome(
            resource="Appointment",
            detail=f"clinic={code or 'own'} n={len(appts)}",
            events=(listed,),
        )


class ActionListWardPatients(GuardedAction):
    intent = "list_ward_patients"
    activity = "Listing a ward's patients"

    async def perform(self, ctx: ActionContext) -> Outcome:
        kind = self.intent
        ward_text = ctx.text("ward")
        ward_hint, number = bed_number(ctx.text("bed"))
        if ward_text in (None, "mine"):
            own = sorted(ctx.staff.ward_codes)
            if len(own) != 1 and not ward_hint:
                # no single ward of their own: the form asks which ward
                events = (SlotSet("ward", None), SlotSet("requested_slot", "ward"))
                return Outcome("refused", (*events, ActiveLoop(f"{self.intent}_form")))
            ward_text = ward_hint or own[0]
        ward = await ctx.hms.get_ward(ward_text)
        ctx.check_ward(ward.code)
        beds = await ctx.hms.find_beds(ward.code)
        if number is not None:
            beds = [b for b in beds if b.label.endswith(f" {int(number)}")]
            if not beds:
                ctx.say(
                    f"There's no bed {number} on {ward.name}.",
                    kind="unknown_bed",
                    data={"value": number, "ward": ward.code, "suggestions": []},
                )
                return Outcome("not_found", resource=f"Location/{ward.id}")
        occupied = [b for b in beds if b.status == "O"]
        stays = await ctx.hms.occupants([b.id for b in occupied])
        rows = []
        for bed in occupied:
            patient_id = stays.get(bed.id)
            patient = await ctx.hms.get_patient(patient_id) if patient_id else None
            if patient is not None:
                rows.append((bed, patient))
        if number is not None:
            return self._one_bed(ctx, ward.code, beds[0], rows[0][1] if rows else None)
        listed = "; ".join(f"{b.label.split(' ', 1)[-1]}: {p.initials}" for b, p in rows[:30])
        data = {
            "ward": ward.code,
            "count": len(rows),
            "patients": [
                {"bed": b.label, "initials": p.initials, "mrn_last4": p.mrn_last4} for b, p in rows
            ],
        }
        text = (
            f"{ward.name}: {len(rows)} patient{'s' if len(rows) != 1 else ''} - {listed}."
            if rows
            else f"Nobody is in a bed on {ward.name} right now."
        )
        ctx.say(text, kind=f"{kind}_success" if rows else f"{kind}_none", phi=bool(rows), data=data)
        return Outcome(resource=f"Location/{ward.id}", detail=f"n={len(rows)}")

    def _one_bed(self, ctx: ActionContext, ward: str, bed: Any, patient: Patient | None) -> Outcome:
        kind = self.intent
        if patient is None:
            status = STATUS_PHRASES.get(bed.status or "", "status unknown")
            ctx.say(
                f"{bed.label} has nobody in it ({status}).",
                kind=f"{kind}_none",
                data={"ward": ward, "bed": bed.label, "status": bed.status},
            )
            return Outcome(resource=f"Location/{bed.id}")
        ctx.say(
            f"{bed.label}: {patient.initials} (MRN ending {patient.mrn_last4}).",
            kind=f"{kind}_success",
            phi=True,
            data={"ward": ward, "bed": bed.label, "room": bed.room, **patient_data(patient)},
        )
        return Outcome(resource=f"Location/{bed.id}", patient_ref=f"Patient/{patient.id}")
