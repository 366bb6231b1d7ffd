"""The hospital's wards and clinics, asked for by name ("which wards are there?", "list the
clinics"): their codes and names from the HMS directory, so staff know what to call them.
No patient data; anyone signed in may ask (the directory is what the assistant itself
names when a ward or clinic is not known)."""

from __future__ import annotations

import re

from actions.base import ActionContext, GuardedAction, Outcome

_WARDS = re.compile(r"\b(?:wards?|units?|beds?)\b", re.I)
_CLINICS = re.compile(r"\b(?:clinics?|departments?|specialt(?:y|ies)|outpatients?)\b", re.I)


def asked_for(text: str) -> tuple[bool, bool]:
    """(wards, clinics): which of the two the message asks about; both when it names
    neither or both."""
    wards, clinics = bool(_WARDS.search(text)), bool(_CLINICS.search(text))
    if not (wards or clinics):
        return True, True
    return wards, clinics


class ActionListPlaces(GuardedAction):
    intent = "list_places"
    activity = "Listing the wards and clinics"

    async def perform(self, ctx: ActionContext) -> Outcome:
        text = str(ctx.tracker.latest_message.get("text") or "")
        want_wards, want_clinics = asked_for(text)
        parts: list[str] = []
        data: dict[str, list[str]] = {}
        if want_wards:
            wards = sorted(await ctx.hms.list_wards(), key=lambda w: w.code)
            data["wards"] = [w.code for w in wards]
            named = "; ".join(
                w.code if w.name in (w.code, f"Ward {w.code}") else f"{w.code} ({w.name})"
                for w in wards
            )
            parts.append(f"Wards here: {named}." if wards else "No wards are set up yet.")
        if want_clinics:
            clinics = sorted(await ctx.hms.list_services(), key=lambda s: s.name)
            data["clinics"] = [s.code for s in clinics]
            named = ", ".join(s.name for s in clinics)
            parts.append(f"Clinics here: {named}." if clinics else "No clinics are set up yet.")
        ctx.say(" ".join(parts), kind=f"{self.intent}_success", data=data)
        return Outcome(resource="Location" if want_wards else "HealthcareService")
