"""Appointments: book and cancel, always naming the patient by MRN + name.

Booking runs in steps kept in ``pending``: offer the 3 nearest free slots as buttons
(``book_appointment:offer``), confirm the chosen one (``book_appointment:confirm``), then
book it with the slot's version - only if patient, slot and time are still the ones
confirmed; if someone else took the slot meanwhile, fresh slots are offered. Another time
said at any step ("actually make it Thursday") is a new search.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk.events import SlotSet

from actions.allofthem import one_at_a_time, says_all
from actions.apptpick import clinic_not_among, keeps_them, kept, named_among, the_offered
from actions.base import ActionContext, GuardedAction, Outcome
from actions.exacttime import the_time_asked
from actions.repatient import kept_slot
from actions.scheduling import (
    NotOffered,
    PatientMismatch,
    another_offered,
    appointment_buttons,
    ask_confirm,
    asks_another_time,
    chosen,
    chosen_or_by_clinic,
    clear,
    clinic_of,
    find_practitioner,
    identify_patient,
    narrow,
    nearest_slots,
    offer,
    offered_appointments,
    patient_busy,
    patient_data,
    pending,
    pick_again,
    say_changed,
    say_mismatch,
    step,
    still_confirmed,
    when,
)
from actions.state import YES_NO
from assistant.hms.errors import Conflict
from assistant.hms.models import Appointment, Patient


def _ref(patient: Patient) -> str:
    return f"Patient/{patient.id}"


class _PatientAction(GuardedAction):
    async def perform(self, ctx: ActionContext) -> Outcome:
        try:
            patient = await identify_patient(ctx)
        except PatientMismatch:
            say_mismatch(ctx, self.intent)
            return Outcome("not_found", reason="patient_mismatch")
        try:
            return await self.with_patient(ctx, patient)
        except NotOffered:
            ctx.messages.clear()
            ctx.say(
                "That isn't one of the choices I offered, so I haven't done anything. "
                "Please pick one of the offered choices.",
                kind=f"{self.intent}_refused",
            )
            still = (SlotSet("pending", ctx.slot("pending")),)  # the offer stands
            return Outcome("refused", still, patient_ref=_ref(patient), reason="not_offered")

    @abstractmethod
    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome: ...


class ActionBookAppointment(_PatientAction):
    intent = "book_appointment"
    activity = "Booking appointments"

    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome:
        code, what = await clinic_of(ctx)
        practitioner = await find_practitioner(ctx)
        at, intent, ref, kind = step(ctx, self.intent), ctx.intent, _ref(patient), self.intent

        async def fresh(prefix: str = "", after: str | None = None, first: bool = False) -> Outcome:
            busy = await patient_busy(ctx, patient.id)  # never two appointments at once
            slots, matched = await nearest_slots(ctx, code, practitioner, after, busy)
            tz = ctx.services.settings.hospital_tz
            events = list(ctx.tracker.events)
            asked = the_time_asked(events, ctx.text("time"), slots, ctx.now, tz) if first else None
            if asked is not None:  # "10:00" said on its own, and free: confirm it
                confirming = ask_confirm(
                    ctx, patient, asked, kind=kind, verb="Book", what=what, intent=self.intent
                )
                return Outcome(
                    events=tuple(confirming), resource=f"Slot/{asked.id}", patient_ref=ref
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
            return Outcome(events=tuple(events), resource="Slot", patient_ref=ref)

        if at in ("offer", "confirm") and asks_another_time(ctx):
            return await fresh("OK, another time. ")
        if at == "confirm" and intent == "affirm":
            confirmed = ctx.slot("confirmed") or {}
            slot = await ctx.hms.get_slot(str(confirmed.get("slot_id") or ""))
            if not still_confirmed(ctx, patient, slot=slot):
                say_changed(ctx, kind)
                return Outcome(
                    "refused", resource=f"Slot/{slot.id}", patient_ref=ref, reason="not_confirmed"
                )
            try:
                appt = await ctx.hms.book(patient.id, slot.id, practitioner, slot.version)
            except Conflict:
                outcome = await fresh("That slot was just taken by someone else. ")
                return Outcome("conflict", outcome.events, f"Slot/{slot.id}", ref)
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
            # "actually make it thursday" next moves it (actions.retime), and "where is
            # she?" next is about her (actions.referent): the booking's details and patient
            # are kept for the next request only
            carried = ("department", "time", "mrn", "patient_name")
            booked = {k: ctx.text(k) for k in carried if ctx.text(k)}
            last = SlotSet("last_task", {"intent": self.intent, "slots": booked})
            return Outcome(resource=f"Appointment/{appt.id}", patient_ref=ref, events=(last,))
        if at in ("offer", "confirm") and another_offered(ctx):
            at = "offer"  # "no, the first one", "can we do the 09:20 instead": that one
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
            events = ask_confirm(
                ctx, patient, slot, kind=kind, verb="Book", what=what, intent=self.intent
            )
            return Outcome(events=tuple(events), resource=f"Slot/{slot.id}", patient_ref=ref)
        if at == "confirm":
            ctx.say("Shall I book it? Yes or no.", kind=f"{kind}_confirm", buttons=YES_NO)
            return Outcome(events=(pending(self.intent, "confirm"),), patient_ref=ref)
        kept = await kept_slot(ctx, patient)  # the patient corrected at the confirm
        if kept is not None:
            events = ask_confirm(
                ctx, patient, kept, kind=kind, verb="Book", what=what, intent=self.intent
            )
            return Outcome(events=tuple(events), resource=f"Slot/{kept.id}", patient_ref=ref)
        return await fresh(first=True)


def _still_booked_in_hand(ctx: ActionContext, left: list[Appointment]) -> tuple[SlotSet, ...]:
    """Right after "Cancelled the appointment ... for RW": "cancel the neurology one too",
    "what about her other ones" are about the same patient and the appointments she still
    has (it asked "What is the patient's full name?" again): the patient, as said, and
    those appointments are kept for the next request only (``actions.followup``)."""
    said = {k: ctx.text(k) for k in ("patient_name", "mrn") if ctx.text(k)}
    if not said:
        return ()
    held: dict[str, Any] = {"intent": "cancel_appointment", "patient": said}
    if left:
        held["listed_appointments"] = offered_appointments(left[:8])
    return (SlotSet("last_task", held),)


class ActionCancelAppointment(_PatientAction):
    intent = "cancel_appointment"
    activity = "Cancelling appointments"

    async def with_patient(self, ctx: ActionContext, patient: Patient) -> Outcome:
        kind, ref, tz = self.intent, _ref(patient), ctx.services.settings.hospital_tz
        at = step(ctx, self.intent)
        other = self._another_offered(ctx) if at == "confirm" else None
        if at == "confirm" and other is None:
            if ctx.intent != "affirm":
                ctx.say("OK, I've left the appointment as it is.", kind=f"{kind}_kept")
                return Outcome(patient_ref=ref, detail="kept")
            confirmed = ctx.slot("confirmed") or {}
            appts = await ctx.hms.list_appointments(patient_id=patient.id)
            appt = next((a for a in appts if a.id == confirmed.get("appointment_id")), None)
            if appt is None or not still_confirmed(ctx, patient, appt=appt):
                say_changed(ctx, kind)
                return Outcome("refused", patient_ref=ref, reason="not_confirmed")
            done = await ctx.hms.cancel_appointment(appt.id)
            ctx.say(
                f"Cancelled the appointment on {when(done.start, tz)} for "
                f"{patient.initials} (MRN ending {patient.mrn_last4}); the slot is free again.",
                kind=f"{kind}_success",
                phi=True,
                data={**patient_data(patient), "appointment_id": done.id},
            )
            held = _still_booked_in_hand(ctx, [a for a in appts if a.id != done.id])
            return Outcome(resource=f"Appointment/{done.id}", patient_ref=ref, events=held)
        appts = await ctx.hms.list_appointments(patient_id=patient.id)
        lacks: str | None = None  # "the cardiology one" when none is
        if other is not None:  # "no, the 9:00 one" at the confirm step: that one instead
            appts = [a for a in appts if a.id == other]
        elif at == "pick":
            picked = chosen_or_by_clinic(ctx, appts)
            if picked is None and keeps_them(ctx):  # "no leave it": nothing cancelled
                kept(ctx, kind, patient)
                return Outcome(patient_ref=ref, detail="kept")
            lacks = None if picked else clinic_not_among(ctx, appts)
            if picked:
                appts = [a for a in appts if a.id == picked]
            else:
                appts = named_among(ctx, the_offered(ctx, appts))
        else:
            lacks = clinic_not_among(ctx, appts, said_now=False)
            appts = narrow(ctx, appts)
        if not appts:
            ctx.say(
                f"{patient.initials} (MRN ending {patient.mrn_last4}) has no booked "
                "appointments to cancel.",
                kind=f"{kind}_none",
                phi=True,
                data=patient_data(patient),
            )
            return Outcome("not_found", patient_ref=ref)
        if len(appts) > 1:
            asked_all = says_all(str((ctx.tracker.latest_message or {}).get("text") or ""))
            first = f"{patient.initials} has {lacks}. " if lacks else ""
            ctx.say(
                one_at_a_time(kind) if asked_all else f"{first}Which appointment should I cancel?",
                kind=f"{kind}_pick",
                phi=True,
                buttons=appointment_buttons(appts, tz),
                data=patient_data(patient),
            )
            events = (pending(self.intent, "pick"), SlotSet("offered", offered_appointments(appts)))
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
        chosen_one: dict[str, Any] = {"patient_id": patient.id, "appointment_id": appt.id}
        events = (pending(self.intent, "confirm"), SlotSet("confirmed", chosen_one))
        return Outcome(events=events, resource=f"Appointment/{appt.id}", patient_ref=ref)

    @staticmethod
    def _another_offered(ctx: ActionContext) -> str | None:
        """At the confirm step, a typed message picking another of the appointments offered
        ("no, the 9:00 one", "the dermatology one"): its id; None otherwise (a yes, a no)."""
        text = str((ctx.tracker.latest_message or {}).get("text") or "")
        confirmed = (ctx.slot("confirmed") or {}).get("appointment_id")
        if text.lstrip().startswith("/") or not (ctx.slot("offered") or {}).get("ids"):
            return None
        try:
            picked = chosen(ctx, "appointment")
        except NotOffered:
            return None
        return picked if picked and picked != confirmed else None


__all__ = ["ActionBookAppointment", "ActionCancelAppointment", "clear"]
