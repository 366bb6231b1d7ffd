"""Find an admitted patient: by MRN or name -> current ward, room and bed (ward-scoped)."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.scheduling import clear

ASKING = "find_patient"  # `pending` value: the next `inform` answers "which patient?"


class ActionFindPatient(GuardedAction):
    intent = "find_patient"
    permission = "patients:locate"
    activity = "Locating patients"

    async def perform(self, ctx: ActionContext) -> Outcome:
        kind, events = self.intent, tuple(clear("mrn", "patient_name"))
        if ctx.text("pending") == ASKING:
            events += tuple(clear("pending"))
        mrn = "".join(ch for ch in (ctx.text("mrn") or "") if ch.isdigit())
        name = ctx.text("patient_name")
        if not mrn and not name:
            ctx.say("Which patient? Tell me their MRN (8 digits) or full name.",
                    kind=f"{kind}_ask")
            return Outcome("refused", events=(SlotSet("pending", ASKING),), reason="no_identifier")
        found = await ctx.hms.find_patients(mrn=mrn or None, name=None if mrn else name)
        if not found:
            ctx.say("I couldn't find a patient with that "
                    f"{'MRN' if mrn else 'name'}.", kind=f"{kind}_not_found")
            return Outcome("not_found", events=events)
        if len(found) > 1:
            ctx.say(f"{len(found)} patients match that name. Please give me the MRN.",
                    kind=f"{kind}_ambiguous")
            return Outcome("not_found", events=events, reason="ambiguous")
        patient = found[0]
        ref = f"Patient/{patient.id}"
        stay = await ctx.hms.current_stay(patient.id)
        who = f"{patient.initials} (MRN ending {patient.mrn_last4})"
        if stay is None or stay.bed is None:
            # whether someone is admitted is itself PHI, but carries no ward to scope on
            ctx.say(f"{who} is not currently admitted.", kind=f"{kind}_not_admitted", phi=True,
                    data={"initials": patient.initials, "mrn_last4": patient.mrn_last4})
            return Outcome(events=events, patient_ref=ref, detail="not_admitted")
        ctx.check_ward(stay.ward_code)
        bed = stay.bed
        where = ", ".join(p for p in (f"Ward {stay.ward_code}", bed.room, bed.label) if p)
        ctx.say(f"{who} is on {where}.", kind=f"{kind}_success", phi=True,
                data={"ward": stay.ward_code, "bed": bed.label, "room": bed.room,
                      "initials": patient.initials, "mrn_last4": patient.mrn_last4})
        return Outcome(events=events, resource=f"Location/{bed.id}", patient_ref=ref)
