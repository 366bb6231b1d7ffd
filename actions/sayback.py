"""How the forms say back what they took: a detail given before it was asked ("Noted:
cardiology clinic, tomorrow morning.") and a correction ("OK, changed to ward 4A."). A
patient's name or MRN is never repeated in a reply."""

from __future__ import annotations

from typing import Any

from actions.formats import clinic_word
from intents.catalog import default_catalog

SlotValues = dict[str, Any]

SAID_BACK = {"department": "{} clinic", "ward": "ward {}", "bed": "bed {}"}
NOT_SAID_BACK = {
    "patient_name": "the patient's name",
    "mrn": "the MRN",
    "clinician": "the clinician",
}


def noted_phrase(slot: str, value: Any) -> str:
    """How a detail taken before it was asked is said back ("cardiology clinic",
    "tomorrow morning", "the MRN")."""
    if slot in NOT_SAID_BACK:
        return NOT_SAID_BACK[slot]
    spec = default_catalog().slot(slot)
    title = next((b.title for b in spec.buttons if b.value == value), None)  # "Needs cleaning"
    if slot == "department" and value and clinic_word(str(value)).isupper():
        value = clinic_word(str(value))  # "ent" -> "ENT" (other clinics as said)
    return title.lower() if title else SAID_BACK.get(slot, "{}").format(value)


def changed_text(changed: list[str], values: SlotValues) -> str:
    """The re-confirmation of a correction: "OK, changed to cardiology clinic." - the new
    value said back, except a patient's name or MRN ("OK, changed the MRN.")."""
    said = [noted_phrase(s, values.get(s)) for s in changed if s not in NOT_SAID_BACK]
    unsaid = [NOT_SAID_BACK[s] for s in changed if s in NOT_SAID_BACK]
    parts = ([f"changed to {', '.join(said)}"] if said else []) + (
        [f"changed {' and '.join(unsaid)}"] if unsaid else []
    )
    return f"OK, {'; '.join(parts)}."
