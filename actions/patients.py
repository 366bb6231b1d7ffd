"""Find an admitted patient: by MRN or name -> current ward, room and bed (ward-scoped).

A bare name goes through the HMS Patient name search; two or more matches are narrowed by
date of birth or MRN (``find_patient:which``, the candidates kept in the action-set
``offered`` slot). Outside the staff member's wards, roles with ``breakglass:use`` are
offered emergency access (``actions.breakglass``): the reason is asked by the
``breakglass_form`` (free text), and the access is audited with it. Other roles get the
normal ward-scope denial.
For ward-scoped roles a patient who is not admitted gets the same answer as one admitted
elsewhere (no initials, no MRN digits), so the answer never reveals admission status outside
one's wards.
"""

from __future__ import annotations

import re
from datetime import date

from rasa_sdk.events import ActiveLoop, SlotSet

from actions import breakglass as bg
from actions.base import ActionContext, GuardedAction, Outcome, WardDenied, join_or, role_label
from actions.formats import MrnFormat
from actions.scheduling import pending, step
from actions.state import gave_up_on
from assistant.audit.breakglass import GRANT_DETAIL, USE_DETAIL, grant_reason
from assistant.hms.models import Patient, Stay

Events = tuple[dict, ...]
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def birth_date(text: str) -> date | None:
    """'12/03/1956', '1956-03-12', '12 March 1956', '12th mar 56' -> a date (day first)."""
    low = text.lower()
    iso = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", low)
    numeric = re.search(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b", low)
    named = re.search(
        r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3})[a-z]*\s+(\d{2,4})\b", low
    )
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if numeric:
            year = int(numeric.group(3))
            year += 1900 if year < 100 and year > 30 else 2000 if year < 100 else 0
            return date(year, int(numeric.group(2)), int(numeric.group(1)))
        if named and named.group(2) in _MONTHS:
            year = int(named.group(3))
            year += 1900 if year < 100 and year > 30 else 2000 if year < 100 else 0
            return date(year, _MONTHS.index(named.group(2)) + 1, int(named.group(1)))
    except ValueError:
        return None
    return None


_NAME_ONLY = re.compile(r"\s*[A-Za-z][A-Za-z'-]*(?:\s+[A-Za-z][A-Za-z'-]*){1,3}\s*")


class ActionFindPatient(GuardedAction):
    intent = "find_patient"
    activity = "Locating patients"

    async def perform(self, ctx: ActionContext) -> Outcome:
        if ctx.text(bg.PATIENT_SLOT):
            return await self._emergency(ctx)
        if step(ctx, self.intent) == "which":
            return await self._narrow(ctx)
        fmt = MrnFormat(ctx.services.settings.mrn_pattern)
        said = ctx.text("patient_name") or ""
        mrn = fmt.find(ctx.text("mrn")) or (fmt.find(said) if fmt.is_mrn(said) else None)
        name = None if mrn else (said or None)
        if not mrn and not name:
            return Outcome("refused", (ActiveLoop(f"{self.intent}_form"),), reason="no_identifier")
        return await self._search(ctx, mrn, name)

    async def _search(self, ctx: ActionContext, mrn: str | None, name: str | None) -> Outcome:
        kind = self.intent
        found = await ctx.hms.find_patients(mrn=mrn, name=name)
        if not found:
            ctx.say(
                f"I couldn't find a patient with that {'MRN' if mrn else 'name'}.",
                kind="unknown_patient",
                data={"value": "mrn" if mrn else "name", "suggestions": []},
            )
            return Outcome("not_found")
        if len(found) > 1:
            ctx.say(
                f"{len(found)} patients match that name. What is their date of birth or MRN?",
                kind=f"{kind}_ambiguous",
                data={"count": len(found)},
            )
            offered = {"kind": "patient", "ids": [p.id for p in found[:20]]}
            events = (pending(self.intent, "which"), SlotSet("offered", offered))
            return Outcome("not_found", events=events, reason="ambiguous")
        return await self._locate(ctx, found[0])

    async def _narrow(self, ctx: ActionContext) -> Outcome:
        """The answer to "date of birth or MRN?" picks one of the offered patients."""
        text = str(ctx.tracker.latest_message.get("text") or "")
        ids = list((ctx.slot("offered") or {}).get("ids") or [])
        mrn = MrnFormat(ctx.services.settings.mrn_pattern).find(text)
        born = birth_date(text)
        tagged = [
            str(e.get("value") or "")
            for e in ctx.tracker.latest_message.get("entities") or []
            if e.get("entity") == "patient_name"
        ]
        fuller = text.strip() if _NAME_ONLY.fullmatch(text) else (tagged[0] if tagged else "")
        if not mrn and not born and len(fuller.split()) >= 2:
            # "Ngozi Price" after "8 patients match that name": a fuller name, searched again
            return await self._search(ctx, None, fuller)
        for patient_id in ids:
            patient = await ctx.hms.get_patient(patient_id)
            if (mrn and patient.mrn == mrn) or (born and patient.birth_date == born):
                return await self._locate(ctx, patient)
        ctx.say(
            "None of the patients with that name has that date of birth or MRN.",
            kind="unknown_patient",
            data={"value": "dob_or_mrn", "suggestions": []},
        )
        return Outcome("not_found", reason="ambiguous_unresolved")

    async def _locate(self, ctx: ActionContext, patient: Patient) -> Outcome:
        stay = await ctx.hms.current_stay(patient.id)
        if stay is None or stay.bed is None:
            if not ctx.services.policy.covers_all_wards(ctx.staff.roles, self.permission):
                # for a ward-scoped user "not admitted" must read exactly like "admitted on
                # another ward": either answer would tell them the patient's admission status
                return self._out_of_scope(ctx, patient, stay)
            return self._show(ctx, patient, stay)
        try:
            ctx.check_ward(stay.ward_code)
        except WardDenied:
            return self._out_of_scope(ctx, patient, stay)
        return self._show(ctx, patient, stay)

    def _out_of_scope(self, ctx: ActionContext, patient: Patient, stay: Stay | None) -> Outcome:
        if not ctx.services.policy.allows(ctx.staff.roles, bg.PERMISSION):
            raise WardDenied((stay.ward_code if stay else None) or "?")  # the normal denial
        ref, minutes = f"Patient/{patient.id}", bg.breakglass_minutes()
        grant = bg.find_grant(ctx.services.audit, ctx.staff.username, ref, ctx.now, minutes)
        if grant is not None:
            return self._show(
                ctx,
                patient,
                stay,
                reason=grant_reason(grant.reason),
                detail=f"{USE_DETAIL} grant={grant.seq}",
            )
        own = join_or(sorted(ctx.staff.ward_codes))
        ctx.say(
            bg.offer_text(own, minutes),
            kind=f"{self.intent}_breakglass_offer",
            buttons=bg.OFFER_BUTTONS,
        )
        events: Events = (
            SlotSet(bg.PATIENT_SLOT, patient.id),
            SlotSet("requested_slot", bg.REASON_SLOT),  # the form asks for the reason
            ActiveLoop(bg.FORM),
        )
        return Outcome(
            "denied",
            events=events,
            patient_ref=ref,
            reason="ward_scope",
            detail="breakglass=offered",
        )

    async def _emergency(self, ctx: ActionContext) -> Outcome:
        """The break-glass form is done: a reason grants access; none (or "cancel") ends it."""
        kind = f"{self.intent}_breakglass"
        if not ctx.services.policy.allows(ctx.staff.roles, bg.PERMISSION):
            ctx.say(
                "Emergency access is only for the roles allowed to break the glass; you are "
                f"signed in as {join_or([role_label(r) for r in sorted(ctx.staff.roles)])}.",
                kind=f"{kind}_denied",
            )
            return Outcome("denied", reason="permission", detail="breakglass")
        patient_id = ctx.text(bg.PATIENT_SLOT) or ""
        text = ctx.text(bg.REASON_SLOT) or ""
        if not text or not bg.is_reason(text) or gave_up_on(ctx.tracker):
            ctx.say(bg.CANCELLED, kind=f"{kind}_cancelled")
            return Outcome(
                "refused", patient_ref=f"Patient/{patient_id}", reason="breakglass_no_reason"
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
            reason=grant_reason(bg.scrub_reason(text, patient)),
            detail=f"{GRANT_DETAIL} minutes={minutes}",
        )

    def _show(
        self,
        ctx: ActionContext,
        patient: Patient,
        stay: Stay | None,
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
        # where they are, for "get a porter to take them to x-ray" right after (the ward
        # and bed; actions.forms), and who, for "book her into cardiology" right after
        # (actions.referent): kept for the next request only
        number = re.search(r"(\d+)\s*$", bed.label or "")
        located = {"ward": stay.ward_code, "bed": number.group(1) if number else None}
        found = {"mrn": patient.mrn, "patient_name": f"{patient.given} {patient.family}".strip()}
        return Outcome(
            events=(SlotSet("last_task", {"located": located, "patient": found}),),
            resource=f"Location/{bed.id}",
            patient_ref=ref,
            reason=reason,
            detail=detail,
        )
