"""Find an admitted patient: by MRN or name -> current ward, room and bed (ward-scoped).

Outside the staff member's wards: roles with ``breakglass:use`` are offered emergency
access (``actions.breakglass``); their next answer is the reason, and the access is audited
with it. Other roles get the normal ward-scope denial. For ward-scoped roles a patient who
is not admitted gets the same answer as one admitted elsewhere (no initials, no MRN
digits), so the answer never reveals admission status outside one's wards.
"""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions import breakglass as bg
from actions.base import ActionContext, GuardedAction, Outcome, WardDenied, join_or
from actions.scheduling import clear
from assistant.audit.breakglass import GRANT_DETAIL, USE_DETAIL, grant_reason
from assistant.hms.models import Patient, Stay

ASKING = "find_patient"  # `pending` value: the next `inform` answers "which patient?"
Events = tuple[dict, ...]


class ActionFindPatient(GuardedAction):
    intent = "find_patient"
    permission = "patients:locate"
    activity = "Locating patients"

    async def perform(self, ctx: ActionContext) -> Outcome:
        if ctx.text("pending") == bg.PENDING:
            return await self._emergency(ctx)
        kind, events = self.intent, tuple(clear("mrn", "patient_name"))
        if ctx.text("pending") == ASKING:
            events += tuple(clear("pending"))
        mrn = "".join(ch for ch in (ctx.text("mrn") or "") if ch.isdigit())
        name = ctx.text("patient_name")
        if not mrn and not name:
            ctx.say("Which patient? Tell me their MRN (8 digits) or full name.", kind=f"{kind}_ask")
            return Outcome("refused", events=(SlotSet("pending", ASKING),), reason="no_identifier")
        found = await ctx.hms.find_patients(mrn=mrn or None, name=None if mrn else name)
        if not found:
            ctx.say(
                f"I couldn't find a patient with that {'MRN' if mrn else 'name'}.",
                kind=f"{kind}_not_found",
            )
            return Outcome("not_found", events=events)
        if len(found) > 1:
            ctx.say(
                f"{len(found)} patients match that name. Please give me the MRN.",
                kind=f"{kind}_ambiguous",
            )
            return Outcome("not_found", events=events, reason="ambiguous")
        patient = found[0]
        stay = await ctx.hms.current_stay(patient.id)
        if stay is None or stay.bed is None:
            if not ctx.services.policy.covers_all_wards(ctx.staff.roles, self.permission):
                # for a ward-scoped user "not admitted" must read exactly like "admitted on
                # another ward": either answer would tell them the patient's admission status
                return self._out_of_scope(ctx, patient, stay, events)
            return self._show(ctx, patient, stay, events)
        try:
            ctx.check_ward(stay.ward_code)
        except WardDenied:
            return self._out_of_scope(ctx, patient, stay, events)
        return self._show(ctx, patient, stay, events)

    def _out_of_scope(
        self, ctx: ActionContext, patient: Patient, stay: Stay | None, events: Events
    ) -> Outcome:
        if not ctx.services.policy.allows(ctx.staff.roles, bg.PERMISSION):
            raise WardDenied((stay.ward_code if stay else None) or "?")  # the normal denial
        ref, minutes = f"Patient/{patient.id}", bg.breakglass_minutes()
        grant = bg.find_grant(ctx.services.audit, ctx.staff.username, ref, ctx.now, minutes)
        if grant is not None:
            return self._show(
                ctx,
                patient,
                stay,
                events,
                reason=grant_reason(grant.reason),
                detail=f"{USE_DETAIL} grant={grant.seq}",
            )
        own = join_or(sorted(ctx.staff.ward_codes)) or "no ward"
        ctx.say(
            bg.offer_text(own, minutes),
            kind=f"{self.intent}_breakglass_offer",
            buttons=bg.OFFER_BUTTONS,
        )
        events += (SlotSet("pending", bg.PENDING), SlotSet(bg.PATIENT_SLOT, patient.id))
        return Outcome(
            "denied",
            events=events,
            patient_ref=ref,
            reason="ward_scope",
            detail="breakglass=offered",
        )

    async def _emergency(self, ctx: ActionContext) -> Outcome:
        """The turn after the offer: a reason grants access; deny/no patient ends it."""
        kind = f"{self.intent}_breakglass"
        done = tuple(clear("pending", bg.PATIENT_SLOT, "mrn", "patient_name"))
        if ctx.intent == "deny":
            ctx.say(bg.CANCELLED, kind=f"{kind}_cancelled")
            return Outcome("refused", events=done, reason="breakglass_declined")
        if not ctx.services.policy.allows(ctx.staff.roles, bg.PERMISSION):
            ctx.say(
                f"Emergency access needs the {bg.PERMISSION} permission; you are signed in "
                f"as {join_or(sorted(ctx.staff.roles))}.",
                kind=f"{kind}_denied",
            )
            return Outcome("denied", events=done, reason="permission", detail="breakglass")
        patient_id = ctx.text(bg.PATIENT_SLOT)
        if not patient_id or not bg.offer_is_fresh(ctx.tracker.events, self.name()):
            ctx.say(bg.EXPIRED, kind=f"{kind}_expired")
            return Outcome("refused", events=done, reason="breakglass_no_patient")
        text = str(ctx.tracker.latest_message.get("text") or "")
        if not bg.is_reason(text) or (ctx.intent == "affirm" and len(text.split()) < 3):
            ctx.say(bg.ASK_REASON, kind=f"{kind}_ask_reason")
            return Outcome(
                "refused",
                events=(SlotSet("pending", bg.PENDING),),
                patient_ref=f"Patient/{patient_id}",
                reason="breakglass_no_reason",
            )
        patient = await ctx.hms.get_patient(patient_id)
        stay = await ctx.hms.current_stay(patient.id)
        minutes = bg.breakglass_minutes()
        ctx.say(
            f"Emergency access granted for {minutes} minutes and recorded with your reason.",
            kind=f"{kind}_granted",
        )
        return self._show(
            ctx,
            patient,
            stay,
            done,
            reason=grant_reason(bg.scrub_reason(text, patient)),
            detail=f"{GRANT_DETAIL} minutes={minutes}",
        )

    def _show(
        self,
        ctx: ActionContext,
        patient: Patient,
        stay: Stay | None,
        events: Events,
        *,
        reason: str | None = None,
        detail: str = "",
    ) -> Outcome:
        kind, ref = self.intent, f"Patient/{patient.id}"
        who = f"{patient.initials} (MRN ending {patient.mrn_last4})"
        ids = {"initials": patient.initials, "mrn_last4": patient.mrn_last4}
        if stay is None or stay.bed is None:
            # whether someone is admitted is itself PHI, but carries no ward to scope on
            ctx.say(
                f"{who} is not currently admitted.", kind=f"{kind}_not_admitted", phi=True, data=ids
            )
            return Outcome(
                events=events,
                patient_ref=ref,
                reason=reason,
                detail=" ".join(p for p in (detail, "not_admitted") if p),
            )
        bed = stay.bed
        where = ", ".join(p for p in (f"Ward {stay.ward_code}", bed.room, bed.label) if p)
        ctx.say(
            f"{who} is on {where}.",
            kind=f"{kind}_success",
            phi=True,
            data={"ward": stay.ward_code, "bed": bed.label, "room": bed.room, **ids},
        )
        return Outcome(
            events=events,
            resource=f"Location/{bed.id}",
            patient_ref=ref,
            reason=reason,
            detail=detail,
        )
