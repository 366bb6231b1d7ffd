"""Another patient or clinic for the task waiting on a choice.

"sorry its for Emily Lloyd 10176509", "wrong patient, it is Kerry Demir 10001575" while a
booking offers slots or asks to confirm one: NLU often reads such a message as "find a
patient" (it is a name and an MRN); with a booking in hand and nothing asking where the
patient is, it corrects the booking's patient. "cardiology not neurology", "no,
neurology": the clinic meant, whatever the slot mappings took (the last clinic named, or
none for a "no").
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.base import ActionContext
from actions.reading import resolve_correction
from actions.scheduling import patient_busy
from actions.state import Turn, slots_before_turn, waits_on_choice
from assistant.hms.errors import NotFound
from assistant.hms.models import Patient, Slot

# words that ask about a patient rather than name one for the task
_LOCATING = re.compile(
    r"\?|\b(?:where|find|locate|look\s*up|search|which\s+(?:bed|ward)|is\s+\w+\s+in|"
    r"admitted|details|info(?:rmation)?)\b",
    re.I,
)
_PATIENT = ("patient_name", "mrn")


def corrects_the_patient(tracker: Tracker, turn: Turn) -> bool:
    """While a task about a patient waits on a choice or a confirmation: the message names
    a patient (a name or an MRN) other than the task's, and asks nothing about them."""
    if turn.is_payload or turn.intent != "find_patient":
        return False  # "cancel George Boateng's appointment" is a request of its own
    if not any(turn.values(e) for e in _PATIENT):
        return False
    before = slots_before_turn(tracker)
    if not all(waits_on_choice(before, slot, ("offer", "confirm", "pick")) for slot in _PATIENT):
        return False
    if _LOCATING.search(turn.text):
        return False
    said = {e: turn.value(e) for e in _PATIENT if turn.value(e)}
    return any(str(before.get(e) or "").casefold() != str(v).casefold() for e, v in said.items())


async def kept_slot(ctx: ActionContext, patient: Patient) -> Slot | None:
    """The slot being confirmed when the booking's form was opened again: the patient was
    corrected at the confirm (``confirmed`` kept for another patient by
    ``actions.flow.correction``), or the booking was interrupted there and taken up again
    (``confirmed`` kept in the stash, ``actions.state.stash_of``). To confirm (again) for
    this patient, when it is still free and they are not booked then; None otherwise."""
    confirmed = ctx.slot("confirmed")
    if not isinstance(confirmed, dict) or not confirmed.get("slot_id"):
        return None
    try:
        slot = await ctx.hms.get_slot(str(confirmed["slot_id"]))
    except NotFound:
        return None
    busy = await patient_busy(ctx, patient.id)
    if slot.status != "free" or any(slot.start < end and start < slot.end for start, end in busy):
        return None
    return slot


def clinic_said(turn: Turn, before: dict[str, Any]) -> dict[str, str]:
    """{"department": the clinic meant} when the message names a clinic other than the
    task's ("cardiology not neurology" -> cardiology); {} otherwise."""
    if turn.is_payload:
        return {}
    meant = resolve_correction(turn, "department")
    if not meant or str(meant).casefold() == str(before.get("department") or "").casefold():
        return {}
    return {"department": str(meant)}


_CUE = re.compile(
    r"\b(?:wrong|sorry|not|instead|actually|rather|i\s+meant|i\s+mean|make\s+it|change\s+it)\b"
    r"|^\W*no\b",
    re.I,
)


def corrects_the_clinic(tracker: Tracker, turn: Turn) -> bool:
    """While a booking or a move waits on a slot choice or a confirmation: the message says
    it corrects ("sorry, wrong clinic, neurology") and names a clinic other than the task's,
    whatever NLU read it as (a clinic's list: it showed today's neurology list)."""
    if turn.is_payload or not _CUE.search(turn.text):
        return False
    before = slots_before_turn(tracker)
    return waits_on_choice(before, "department") and bool(clinic_said(turn, before))
