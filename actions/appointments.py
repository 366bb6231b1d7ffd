"""Appointments: book, cancel, reschedule and list, always naming the patient by MRN + name.

Booking runs in steps kept in the ``pending`` slot: offer the 3 nearest free slots as
buttons (``book_offer``), confirm the chosen one (``book_confirm``), then book it with the
slot's version; if someone else took it meanwhile, fresh slots are offered.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.scheduling import (
    FLOW_SLOTS,
    PATIENT_SLOTS,
    YES_NO,
    PatientMismatch,
    appointment_buttons,
    ask_confirm,
    clear,
    find_practitioner,
    identify_patient,
    nearest_slots,
    offer,
    patient_data,
    say_mismatch,
    when,
)
from assistant.hms.errors import Conflict
from assistant.hms.models import Patient

ALL = (*PATIENT_SLOTS, *FLOW_SLOTS, "department", "clinician", "time")


async def _service(ctx: ActionContext) -> tuple[str | None, str]:
    department = ctx.text("department")
    if department:
        service = await ctx.hms.get_service(department)
        return service.code, service.name
    return None, f"{ctx.text('clinician')}'s clinic" if ctx.text("clinician") else "clinic"


def _ref(patient: Patient) -> str:
    return f"Patient/{patient.id}"


class _PatientAction(GuardedAction):
    async def perform(self, ctx: ActionContext) -> Outcome:
        try:
            patient = await identify_patient(ctx)
        except PatientMismatch:
            say_mismatch(ctx, self.intent)
            return Outcome("not_found", events=tuple(clear(*ALL)), reason="patient_mismatch")
        return await self.with_patient(ctx, patient)

    @abstractmethod
    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome: ...


class ActionBookAppointment(_PatientAction):
    intent = "book_appointment"
    permission = "appointments:book"
    activity = "Booking appointments"

    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome:
        code, what = await _service(ctx)
        practitioner = await find_practitioner(ctx)
        pending, intent, ref = ctx.text("pending"), ctx.intent, _ref(patient)
        kind = self.intent

        async def fresh(prefix: str = "", after: str | None = None) -> list[dict[str, Any]]:
            slots, matched = await nearest_slots(ctx, code, practitioner, after)
            return offer(
                ctx, slots, matched, kind=kind, what=what, prefix=prefix, pending="book_offer"
            )

        if pending == "book_confirm" and intent == "affirm" and ctx.text("slot_id"):
            slot = await ctx.hms.get_slot(ctx.text("slot_id") or "")
            try:
                appt = await ctx.hms.book(patient.id, slot.id, practitioner, slot.version)
            except Conflict:
                events = await fresh("That slot was just taken by someone else. ")
                return Outcome("conflict", tuple(events), f"Slot/{slot.id}", ref)
            tz = ctx.services.settings.hospital_tz
            ctx.say(
                f"Booked: {patient.initials} (MRN ending {patient.mrn_last4}), {what}, "
                f"{when(appt.start, tz)}.",
                kind=f"{kind}_success",
                phi=True,
                data={
                    **patient_data(patient),
                    "appointment_id": appt.id,
                    "start": appt.start.isoformat() if appt.start else None,
                },
            )
            return Outcome(
                events=tuple(clear(*ALL)), resource=f"Appointment/{appt.id}", patient_ref=ref
            )
        if pending == "book_offer" and ctx.text("slot_id"):
            slot = await ctx.hms.get_slot(ctx.text("slot_id") or "")
            if slot.status != "free":
                events = await fresh("That slot was just taken by someone else. ")
                return Outcome("conflict", tuple(events), f"Slot/{slot.id}", ref)
            events = ask_confirm(
                ctx, patient, slot, kind=kind, verb="Book", what=what, pending="book_confirm"
            )
            return Outcome(events=tuple(events), resource=f"Slot/{slot.id}", patient_ref=ref)
        if pending in ("book_offer", "book_confirm") and intent == "deny":
            events = await fresh("OK. ", ctx.text("offer_after"))
            return Outcome(events=tuple(events), resource="Slot", patient_ref=ref)
        return Outcome(events=tuple(await fresh()), resource="Slot", patient_ref=ref)


class ActionCancelAppointment(_PatientAction):
    intent = "cancel_appointment"
    permission = "appointments:cancel"
    activity = "Cancelling appointments"

    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome:
        kind, ref, tz = self.intent, _ref(patient), ctx.services.settings.hospital_tz
        pending, chosen = ctx.text("pending"), ctx.text("appointment_id")
        if pending == "cancel_confirm" and chosen:
            if ctx.intent != "affirm":
                ctx.say("OK, I've left the appointment as it is.", kind=f"{kind}_kept")
                return Outcome(events=tuple(clear(*ALL)), patient_ref=ref, detail="kept")
            appt = await ctx.hms.cancel_appointment(chosen)
            ctx.say(
                f"Cancelled the appointment on {when(appt.start, tz)} for "
                f"{patient.initials} (MRN ending {patient.mrn_last4}); the slot is free "
                "again.",
                kind=f"{kind}_success",
                phi=True,
                data={**patient_data(patient), "appointment_id": appt.id},
            )
            return Outcome(
                events=tuple(clear(*ALL)), resource=f"Appointment/{appt.id}", patient_ref=ref
            )
        appts = await ctx.hms.list_appointments(patient_id=patient.id)
        if chosen:
            appts = [a for a in appts if a.id == chosen]
        if not appts:
            ctx.say(
                f"{patient.initials} (MRN ending {patient.mrn_last4}) has no booked "
                "appointments to cancel.",
                kind=f"{kind}_none",
                phi=True,
                data=patient_data(patient),
            )
            return Outcome("not_found", events=tuple(clear(*ALL)), patient_ref=ref)
        if len(appts) > 1:
            ctx.say(
                "Which appointment should I cancel?",
                kind=f"{kind}_pick",
                phi=True,
                buttons=appointment_buttons(appts, tz),
                data=patient_data(patient),
            )
            events = (SlotSet("appointment_id", None), SlotSet("pending", "cancel_pick"))
            return Outcome(events=events, patient_ref=ref, resource="Appointment")
        appt = appts[0]
        ctx.say(
            f"Cancel {patient.initials}'s {(appt.service_code or 'clinic')} appointment on "
            f"{when(appt.start, tz)}?",
            kind=f"{kind}_confirm",
            phi=True,
            buttons=YES_NO,
            data={**patient_data(patient), "appointment_id": appt.id},
        )
        events = (SlotSet("pending", "cancel_confirm"), SlotSet("appointment_id", appt.id))
        return Outcome(events=events, resource=f"Appointment/{appt.id}", patient_ref=ref)


class ActionListAppointments(GuardedAction):
    intent = "list_appointments"
    permission = "appointments:read"
    activity = "Reading appointments"

    async def perform(self, ctx: ActionContext) -> Outcome:
        tz, kind = ctx.services.settings.hospital_tz, self.intent
        if bool(ctx.text("mrn")) != bool(ctx.text("patient_name")):
            # patient identification needs two identifiers, for reads too
            ctx.say(
                "To list a patient's appointments I need two identifiers: the MRN and "
                "the patient's full name together, e.g. \"appointments for Jane Doe "
                'MRN 10004821".',
                kind=f"{kind}_need_identifiers",
            )
            return Outcome("not_found", reason="one_identifier")
        if ctx.text("mrn") and ctx.text("patient_name"):
            try:
                patient = await identify_patient(ctx)
            except PatientMismatch:
                say_mismatch(ctx, kind)
                return Outcome("not_found", reason="patient_mismatch")
            appts = await ctx.hms.list_appointments(patient_id=patient.id)
            who, data, ref = (
                f"{patient.initials} (MRN ending {patient.mrn_last4})",
                patient_data(patient),
                _ref(patient),
            )
        else:
            appts = await ctx.hms.list_appointments(
                practitioner_id=ctx.staff.id, date=ctx.now.astimezone(ZoneInfo(tz)).date()
            )
            who, data, ref = "you today", {}, None
        events: tuple[dict[str, Any], ...] = ()  # a look-up: leave any task's slots alone
        if not appts:
            ctx.say(
                f"No booked appointments for {who}.", kind=f"{kind}_none", phi=bool(ref), data=data
            )
            return Outcome(events=events, resource="Appointment", patient_ref=ref)
        lines = "; ".join(
            f"{(a.service_code or 'clinic').title()} {when(a.start, tz)}" for a in appts[:8]
        )
        ctx.say(
            f"Booked appointments for {who}: {lines}.",
            kind=f"{kind}_success",
            phi=True,
            data={
                **data,
                "appointments": [
                    {
                        "id": a.id,
                        "service": a.service_code,
                        "start": a.start.isoformat() if a.start else None,
                    }
                    for a in appts
                ],
            },
        )
        return Outcome(events=events, resource="Appointment", patient_ref=ref)
