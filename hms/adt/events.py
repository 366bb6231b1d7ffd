"""What each ADT trigger event does to the HMS.

A01 admit (bed -> O), A02 transfer (old bed -> H, new -> O), A03 discharge (bed -> H),
A20 bed status (NPU-1 bed -> NPU-2), A14/A15/A16 pending admit/transfer/discharge (bed
reserved / expected to free), and the cancels A11/A12/A13 and A27/A26/A25, which undo
the latest applied, not yet cancelled, event of their kind for the patient from the
changes it recorded. Each handler returns ``Result``; a problem is ``AdtProblem`` (AE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from hms import models
from hms.adt.message import INTERNAL_ERROR, MISSING_FIELD, TABLE_VALUE, UNKNOWN_KEY, failed
from hms.adt.places import resolve_bed
from hms.adt.state import Json, Work, from_iso, new_id
from hms.fhir import BED_STATUS


@dataclass(frozen=True)
class Result:
    note: str
    patient_id: str | None = None
    encounter_id: str | None = None
    effects: Json = field(default_factory=dict)
    reverses_pk: int | None = None


def admit(w: Work) -> Result:
    patient = w.patient(create=True)
    bed = resolve_bed(w.session, w.message.location, "PV1-3")
    if w.active_stay(patient) is not None:
        raise failed(INTERNAL_ERROR, "the patient already has an in-progress stay (send A02)")
    w.check_free_for(bed)
    stay = models.Encounter(
        id=new_id("enc"),
        status="in-progress",
        class_code="IMP",
        patient_id=patient.id,
        location_id=bed.id,
        period_start=w.when(w.message.admit_time, w.message.occurred),
        visit_number=(w.message.visit_number or "")[:64] or None,
        version=1,
        updated_at=w.now,
        updated_by="adt",
    )
    w.session.add(stay)
    change = w.set_bed(bed, "O")
    return Result(f"admitted to {bed.code}", patient.id, stay.id, {"beds": [change]})


def transfer(w: Work) -> Result:
    patient = w.patient()
    stay = w.active_stay(patient)
    if stay is None:
        raise failed(UNKNOWN_KEY, "the patient has no in-progress stay to transfer")
    new = resolve_bed(w.session, w.message.location, "PV1-3")
    old = w.stay_bed(stay)
    if old is None and w.message.prior_location is not None:
        old = resolve_bed(w.session, w.message.prior_location, "PV1-6")
    if old is not None and old.id == new.id:
        raise failed(INTERNAL_ERROR, f"PV1-3 is the bed the patient is already in ({new.code})")
    w.check_free_for(new, stay.id)
    changes = [w.set_bed(old, "H")] if old is not None else []
    changes.append(w.set_bed(new, "O"))
    effects = {"from_location": stay.location_id, "to_location": new.id, "beds": changes}
    stay.location_id = new.id
    w.touch(stay)
    where = f"{old.code} to {new.code}" if old is not None else f"to {new.code}"
    return Result(f"transferred {where}", patient.id, stay.id, effects)


def discharge(w: Work) -> Result:
    patient = w.patient()
    stay = w.active_stay(patient)
    if stay is None:
        raise failed(UNKNOWN_KEY, "the patient has no in-progress stay to discharge")
    bed = w.stay_bed(stay)
    changes = [w.set_bed(bed, "H")] if bed is not None else []
    stay.status = "finished"
    stay.period_end = w.when(w.message.discharge_time, w.message.occurred)
    w.touch(stay)
    note = f"discharged from {bed.code}" if bed is not None else "discharged"
    return Result(note, patient.id, stay.id, {"beds": changes})


def bed_status(w: Work) -> Result:
    bed = resolve_bed(w.session, w.message.location, "NPU-1")
    status = w.message.bed_status
    if not status:
        raise failed(MISSING_FIELD, "NPU-2 (bed status) is missing")
    if status not in BED_STATUS:
        codes = ", ".join(BED_STATUS)
        raise failed(TABLE_VALUE, f"NPU-2 {status[:4]!r} is not in table 0116 ({codes})")
    if status == "U" and w.stay_in(bed):
        raise failed(INTERNAL_ERROR, f"bed {bed.code} holds an in-progress stay")
    change = w.set_bed(bed, status, clear_pending=False)
    return Result(f"bed {bed.code} {change['from'] or '-'} -> {status}", effects={"beds": [change]})


def pending_admit(w: Work) -> Result:
    patient = w.patient(create=True)
    bed = resolve_bed(w.session, w.message.location, "PV1-3")
    change = w.set_pending(bed, "reserved", w.when(w.message.expected_time))
    return Result(f"bed {bed.code} reserved", patient.id, effects={"pending": [change]})


def pending_transfer(w: Work) -> Result:
    patient = w.patient()
    stay = w.active_stay(patient)
    if w.message.pending_location is None:
        raise failed(MISSING_FIELD, "PV1-42 (pending location) is missing")
    new = resolve_bed(w.session, w.message.pending_location, "PV1-42")
    old = w.stay_bed(stay) if stay is not None else None
    changes = [w.set_pending(old, "expected_free", None)] if old is not None else []
    changes.append(w.set_pending(new, "reserved", None))
    stay_id = stay.id if stay is not None else None
    return Result(f"bed {new.code} reserved", patient.id, stay_id, {"pending": changes})


def pending_discharge(w: Work) -> Result:
    patient = w.patient()
    stay = w.active_stay(patient)
    bed = w.stay_bed(stay) if stay is not None else None
    if bed is None:
        bed = resolve_bed(w.session, w.message.location, "PV1-3")
    change = w.set_pending(bed, "expected_free", w.when(w.message.expected_time))
    stay_id = stay.id if stay is not None else None
    return Result(f"bed {bed.code} expected to free", patient.id, stay_id, {"pending": [change]})


# -- cancels ---------------------------------------------------------------------------


def _original(w: Work, event: str, patient: models.Patient) -> models.AdtMessage:
    """The latest applied ``event`` for the patient that no later message cancelled."""
    undo = aliased(models.AdtMessage)
    stmt = (
        select(models.AdtMessage)
        .where(models.AdtMessage.event == event, models.AdtMessage.patient_id == patient.id)
        .where(~select(undo.pk).where(undo.reverses_pk == models.AdtMessage.pk).exists())
        .order_by(models.AdtMessage.pk.desc())
    )
    for row in w.session.scalars(stmt):
        stay = w.session.get(models.Encounter, row.encounter_id) if row.encounter_id else None
        visit = w.message.visit_number
        if not visit or stay is None or stay.visit_number in (None, visit):
            return row
    raise failed(UNKNOWN_KEY, f"no applied {event} for this patient to cancel")


def _bed(w: Work, bed_id: str) -> models.Location:
    bed = w.session.get(models.Location, bed_id)
    if bed is None:  # pragma: no cover - beds are never deleted
        raise failed(UNKNOWN_KEY, f"bed {bed_id} no longer exists")
    return bed


def _undo_bed(w: Work, change: Json) -> Json | None:
    """Put a bed back to its earlier status if nothing else changed it since."""
    bed = _bed(w, change["bed"])
    if bed.operational_status != change["to"] or change["from"] is None:
        return None
    if change["from"] == "U" and w.stay_in(bed):
        return None
    return w.set_bed(bed, change["from"], clear_pending=False)


def _stay(w: Work, original: models.AdtMessage) -> models.Encounter:
    stay = w.session.get(models.Encounter, original.encounter_id or "")
    if stay is None:
        raise failed(UNKNOWN_KEY, "the stay of the cancelled event no longer exists")
    return stay


def cancel_admit(w: Work) -> Result:
    patient = w.patient()
    original = _original(w, "A01", patient)
    stay = _stay(w, original)
    admitted = original.effects["beds"][0]["bed"]
    if stay.status != "in-progress" or stay.location_id != admitted:
        raise failed(INTERNAL_ERROR, "the stay changed since the admit; cancel the later event")
    stay.status = "cancelled"
    w.touch(stay)
    changes = [c for c in (_undo_bed(w, ch) for ch in original.effects["beds"]) if c]
    return Result("admit cancelled", patient.id, stay.id, {"beds": changes}, original.pk)


def cancel_transfer(w: Work) -> Result:
    patient = w.patient()
    original = _original(w, "A02", patient)
    stay = _stay(w, original)
    effects = original.effects
    if stay.status != "in-progress" or stay.location_id != effects["to_location"]:
        raise failed(INTERNAL_ERROR, "the stay changed since the transfer; cancel that first")
    old = effects["from_location"]
    old_bed = _bed(w, old) if old else None
    if old_bed is not None and old_bed.physical_type == "bd":
        w.check_free_for(old_bed, stay.id)
    stay.location_id = old  # move the stay back first: the new bed is then empty
    w.touch(stay)
    new_change = next(c for c in effects["beds"] if c["bed"] == effects["to_location"])
    changes = [c for c in [_undo_bed(w, new_change)] if c]
    if old_bed is not None and old_bed.physical_type == "bd":
        changes.append(w.set_bed(old_bed, "O"))
    return Result("transfer cancelled", patient.id, stay.id, {"beds": changes}, original.pk)


def cancel_discharge(w: Work) -> Result:
    patient = w.patient()
    original = _original(w, "A03", patient)
    stay = _stay(w, original)
    if stay.status != "finished":
        raise failed(INTERNAL_ERROR, "the stay is not discharged")
    if w.active_stay(patient) is not None:
        raise failed(INTERNAL_ERROR, "the patient has another in-progress stay")
    bed = w.stay_bed(stay)
    changes = []
    if bed is not None:
        w.check_free_for(bed, stay.id)
        changes.append(w.set_bed(bed, "O"))
    stay.status, stay.period_end = "in-progress", None
    w.touch(stay)
    return Result("discharge cancelled", patient.id, stay.id, {"beds": changes}, original.pk)


def _cancel_pending(event: str) -> Callable[[Work], Result]:
    def cancel(w: Work) -> Result:
        patient = w.patient()
        original = _original(w, event, patient)
        changes = []
        for change in original.effects.get("pending", []):
            bed = _bed(w, change["bed"])
            if bed.pending == change["to"]:
                changes.append(w.set_pending(bed, change["from"], from_iso(change["from_at"])))
        return Result(
            f"pending {event} cancelled",
            patient.id,
            original.encounter_id,
            {"pending": changes},
            original.pk,
        )

    return cancel


HANDLERS: dict[str, Callable[[Work], Result]] = {
    "A01": admit,
    "A02": transfer,
    "A03": discharge,
    "A20": bed_status,
    "A14": pending_admit,
    "A15": pending_transfer,
    "A16": pending_discharge,
    "A11": cancel_admit,
    "A12": cancel_transfer,
    "A13": cancel_discharge,
    "A27": _cancel_pending("A14"),
    "A26": _cancel_pending("A15"),
    "A25": _cancel_pending("A16"),
}


def handler_for(event: str) -> Callable[[Work], Result] | None:
    return HANDLERS.get(event)


def describe(effects: dict[str, Any]) -> list[str]:
    """Bed ids whose status the effects changed (for callers that follow bed changes)."""
    return [c["bed"] for c in effects.get("beds", []) if c["from"] != c["to"]]
