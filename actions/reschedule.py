"""Reschedule: pick the patient's appointment, offer new slots, confirm, book, cancel the old.

The appointment being moved is kept in the action-set ``confirmed`` slot from the moment
it is picked; the write goes ahead only for that appointment, that patient and the slot
and time confirmed. The new slot is booked first and the old appointment cancelled after,
so a failure in between leaves the patient with two appointments (visible, fixable)
rather than none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rasa_sdk.events import SlotSet

from actions.allofthem import one_at_a_time, says_all
from actions.appointments import _PatientAction, _ref
from actions.apptpick import clinic_not_among, keeps_them, kept, named_among, the_offered
from actions.base import ActionContext, Outcome
from actions.formats import clinic_word
from actions.scheduling import (
    another_offered,
    appointment_buttons,
    ask_confirm,
    asks_another_time,
    chosen,
    chosen_or_by_clinic,
    nearest_slots,
    offer,
    offered_appointments,
    patient_busy,
    patient_data,
    pending,
    pick_again,
    say_changed,
    step,
    still_confirmed,
    when,
)
from actions.state import YES_NO
from actions.weekafter import after_the_appointment
from assistant.hms.errors import Conflict
from assistant.hms.models import Appointment, Patient


def _after_the_one_moved(ctx: ActionContext, moving: Appointment) -> tuple[SlotSet, ...]:
    """ "and move her other neuro one to the week after": the time is that many days after
    the appointment being moved (Fri 11 Dec -> Fri 18 Dec), set for the slots offered and
    kept; nothing when the time said is no such thing."""
    if moving.start is None:
        return ()
    tz = ctx.services.settings.hospital_tz
    day = after_the_appointment(ctx.text("time"), moving.start, ctx.now, tz)
    if day is None:
        return ()
    ctx.tracker.slots["time"] = day  # read by nearest_slots for this offer
    return (SlotSet("time", day),)


class ActionRescheduleAppointment(_PatientAction):
    intent = "reschedule_appointment"
    activity = "Rescheduling appointments"

    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome:
        kind, ref, tz = self.intent, _ref(patient), ctx.services.settings.hospital_tz
        at, intent = step(ctx, self.intent), ctx.intent
        appts = await ctx.hms.list_appointments(patient_id=patient.id)
        confirmed = ctx.slot("confirmed") or {}
        current: Appointment | None = None
        lacks = clinic_not_among(ctx, appts, said_now=at == "pick")
        if at == "pick":
            picked = chosen_or_by_clinic(ctx, appts)
            if picked is None and keeps_them(ctx):  # "no leave it": nothing moved
                kept(ctx, kind, patient)
                return Outcome(patient_ref=ref, detail="kept")
            current = next((a for a in appts if a.id == picked), None)
            appts = appts if current else named_among(ctx, the_offered(ctx, appts))
        elif at in ("offer", "confirm"):
            current = next((a for a in appts if a.id == confirmed.get("appointment_id")), None)
            if current is None or confirmed.get("patient_id") != patient.id:
                say_changed(ctx, kind)
                return Outcome("refused", patient_ref=ref, reason="not_confirmed")
        department = ctx.text("department")
        if current is None and department and at != "pick":
            # "move her cardiology appointment", "the cardiology one": that clinic's, if one
            same = [a for a in appts if (a.service_code or "").casefold() == department.casefold()]
            current = same[0] if len(same) == 1 else None
            # "move Arjun Johnson 10002695 ortho appt" with two orthopaedics ones: which of
            # those two (it listed all seven of his)
            appts = same or appts
        if current is None:
            if not appts:
                ctx.say(
                    f"{patient.initials} (MRN ending {patient.mrn_last4}) has no booked "
                    "appointments to move.",
                    kind=f"{kind}_none",
                    phi=True,
                    data=patient_data(patient),
                )
                return Outcome("not_found", patient_ref=ref)
            if len(appts) > 1:
                asked_all = says_all(str((ctx.tracker.latest_message or {}).get("text") or ""))
                first = f"{patient.initials} has {lacks}. " if lacks else ""
                ctx.say(
                    one_at_a_time(kind)
                    if asked_all
                    else f"{first}Which appointment should I move?",
                    kind=f"{kind}_pick",
                    phi=True,
                    buttons=appointment_buttons(appts, tz),
                    data=patient_data(patient),
                )
                events = (
                    pending(self.intent, "pick"),
                    SlotSet("offered", offered_appointments(appts)),
                )
                return Outcome(events=events, resource="Appointment", patient_ref=ref)
            current = appts[0]
        moving = current
        what = f"{clinic_word(moving.service_code)}"
        keep = SlotSet("confirmed", {"patient_id": patient.id, "appointment_id": moving.id})
        retimed = _after_the_one_moved(ctx, moving)

        async def fresh(prefix: str = "", after: str | None = None) -> Outcome:
            busy = await patient_busy(ctx, patient.id, except_id=moving.id)
            slots, matched = await nearest_slots(
                ctx, moving.service_code, moving.practitioner_id, after, busy
            )
            events = offer(
                ctx,
                slots,
                matched,
                kind=kind,
                what=what,
                prefix=prefix,
                intent=self.intent,
                later=after is not None,
                busy=busy,
            )
            return Outcome(
                events=(*events, keep, *retimed),
                resource=f"Appointment/{moving.id}",
                patient_ref=ref,
            )

        if at in ("offer", "confirm") and asks_another_time(ctx):
            return await fresh("OK, another time. ")
        if at == "confirm" and intent == "affirm":
            return await self._move(ctx, patient, moving, fresh)
        if at in ("offer", "confirm") and another_offered(ctx):
            at = "offer"  # "no, the first one": that one is confirmed instead
        elif at in ("offer", "confirm") and intent == "deny":
            return await fresh("OK. ", ctx.text("offer_after"))
        if at == "offer":
            picked = chosen(ctx, "slot")
            if picked is None:
                return await fresh(pick_again(ctx))
            slot = await ctx.hms.get_slot(picked)
            if slot.status != "free":
                outcome = await fresh("That slot was just taken by someone else. ")
                return Outcome("conflict", outcome.events, f"Slot/{slot.id}", ref)
            confirming = ask_confirm(
                ctx,
                patient,
                slot,
                kind=kind,
                verb="Move",
                what=what,
                intent=self.intent,
                appointment_id=moving.id,
            )
            return Outcome(
                events=tuple(confirming), resource=f"Appointment/{moving.id}", patient_ref=ref
            )
        if at == "confirm":
            ctx.say("Shall I move it? Yes or no.", kind=f"{kind}_confirm", buttons=YES_NO)
            return Outcome(events=(pending(self.intent, "confirm"),), patient_ref=ref)
        return await fresh(f"{what} is now on {when(moving.start, tz)}. ")

    async def _move(
        self,
        ctx: ActionContext,
        patient: Patient,
        current: Appointment,
        fresh: Callable[..., Awaitable[Outcome]],
    ) -> Outcome:
        tz, ref, kind = ctx.services.settings.hospital_tz, _ref(patient), self.intent
        confirmed = ctx.slot("confirmed") or {}
        slot = await ctx.hms.get_slot(str(confirmed.get("slot_id") or ""))
        if not still_confirmed(ctx, patient, slot=slot, appt=current):
            say_changed(ctx, kind)
            return Outcome(
                "refused", resource=f"Slot/{slot.id}", patient_ref=ref, reason="not_confirmed"
            )
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
            resource=f"Appointment/{new.id}",
            patient_ref=ref,
            detail=f"replaces Appointment/{current.id}",
        )
