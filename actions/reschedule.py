"""Reschedule: pick the patient's appointment, offer new slots, confirm, book, cancel the old.

The new slot is booked first and the old appointment cancelled after, so a failure in
between leaves the patient with two appointments (visible, fixable) rather than none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rasa_sdk.events import SlotSet

from actions.appointments import ALL, _PatientAction, _ref
from actions.base import ActionContext, Outcome
from actions.scheduling import (
    appointment_buttons,
    ask_confirm,
    clear,
    nearest_slots,
    offer,
    patient_data,
    when,
)
from assistant.hms.errors import Conflict
from assistant.hms.models import Appointment, Patient


class ActionRescheduleAppointment(_PatientAction):
    intent = "reschedule_appointment"
    permission = "appointments:cancel"
    activity = "Rescheduling appointments"

    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome:
        kind, ref, tz = self.intent, _ref(patient), ctx.services.settings.hospital_tz
        pending, intent = ctx.text("pending"), ctx.intent
        appts = await ctx.hms.list_appointments(patient_id=patient.id)
        chosen = ctx.text("appointment_id")
        current = next((a for a in appts if a.id == chosen), None)
        if current is None:
            if not appts:
                ctx.say(
                    f"{patient.initials} (MRN ending {patient.mrn_last4}) has no booked "
                    "appointments to move.",
                    kind=f"{kind}_none",
                    phi=True,
                    data=patient_data(patient),
                )
                return Outcome("not_found", events=tuple(clear(*ALL)), patient_ref=ref)
            if len(appts) > 1:
                ctx.say(
                    "Which appointment should I move?",
                    kind=f"{kind}_pick",
                    phi=True,
                    buttons=appointment_buttons(appts, tz),
                    data=patient_data(patient),
                )
                return Outcome(
                    events=(SlotSet("pending", "reschedule_pick"),),
                    resource="Appointment",
                    patient_ref=ref,
                )
            current = appts[0]
        what = f"{(current.service_code or 'clinic').title()}"

        async def fresh(prefix: str = "", after: str | None = None) -> Outcome:
            slots, matched = await nearest_slots(
                ctx, current.service_code, current.practitioner_id, after
            )
            events = offer(
                ctx, slots, matched, kind=kind, what=what, prefix=prefix, pending="reschedule_offer"
            )
            return Outcome(
                events=(SlotSet("appointment_id", current.id), *events),
                resource=f"Appointment/{current.id}",
                patient_ref=ref,
            )

        if pending == "reschedule_confirm" and intent == "affirm" and ctx.text("slot_id"):
            return await self._move(ctx, patient, current, ctx.text("slot_id") or "", fresh)
        if pending == "reschedule_offer" and ctx.text("slot_id"):
            slot = await ctx.hms.get_slot(ctx.text("slot_id") or "")
            if slot.status != "free":
                outcome = await fresh("That slot was just taken by someone else. ")
                return Outcome("conflict", outcome.events, f"Slot/{slot.id}", ref)
            events = ask_confirm(
                ctx, patient, slot, kind=kind, verb="Move", what=what, pending="reschedule_confirm"
            )
            return Outcome(
                events=tuple(events), resource=f"Appointment/{current.id}", patient_ref=ref
            )
        if pending in ("reschedule_offer", "reschedule_confirm") and intent == "deny":
            return await fresh("OK. ", ctx.text("offer_after"))
        return await fresh(f"{what} is now on {when(current.start, tz)}. ")

    async def _move(
        self,
        ctx: ActionContext,
        patient: Patient,
        current: Appointment,
        slot_id: str,
        fresh: Callable[..., Awaitable[Outcome]],
    ) -> Outcome:
        tz, ref, kind = ctx.services.settings.hospital_tz, _ref(patient), self.intent
        slot = await ctx.hms.get_slot(slot_id)
        try:
            new = await ctx.hms.book(patient.id, slot.id, current.practitioner_id, slot.version)
        except Conflict:
            outcome = await fresh("That slot was just taken by someone else. ")
            return Outcome("conflict", outcome.events, f"Slot/{slot.id}", ref)
        await ctx.hms.cancel_appointment(current.id)
        ctx.say(
            f"Moved: {patient.initials} (MRN ending {patient.mrn_last4}) is now booked on "
            f"{when(new.start, tz)}; the old appointment on {when(current.start, tz)} is "
            "cancelled.",
            kind=f"{kind}_success",
            phi=True,
            data={**patient_data(patient), "appointment_id": new.id, "cancelled_id": current.id},
        )
        return Outcome(
            events=tuple(clear(*ALL)),
            resource=f"Appointment/{new.id}",
            patient_ref=ref,
            detail=f"replaces Appointment/{current.id}",
        )
