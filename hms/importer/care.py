"""Planning current stays (Encounter in a bed) and future appointments (Slot + Appointment).

A stay occupies its bed (bed -> O, logged as a bed event with source ``import``); a bed
already holding another in-progress stay is a rejection. An appointment books the
clinician's free slot at that start, or a new slot on the clinician's schedule for that
clinic; a clash with a booking the clinician already has (in the HMS or earlier in the
file) is a rejection, as is a start in the past.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from hms import models
from hms.importer import records as r
from hms.importer.index import Index
from hms.importer.planned import Plan, Rejected
from hms.importer.values import fhir_id


def plan_stay(
    index: Index,
    stamp: dict[str, Any],
    now: datetime,
    stay: r.Stay,
    plan: Plan,
    report: r.FileReport,
) -> None:
    patient = index.patients.get(stay.mrn)
    if patient is None:
        raise Rejected("unknown patient (MRN not in the HMS or this import)")
    if (patient["id"], stay.start) in index.stays:
        report.count(report.unchanged, "Encounter")
        return
    if patient["id"] in index.active_stay:
        raise Rejected("the patient already has an in-progress stay")
    code = stay.location_code.upper()
    bed, ward = index.beds.get(code), index.wards.get(code)
    if bed is None and ward is None:
        raise Rejected(f"unknown bed or ward {stay.location_code}")
    location = str((bed or ward or {})["id"])
    if bed is not None and location in index.occupied:
        raise Rejected(f"bed {code} holds another in-progress stay")
    ident = index.new_id(f"enc-{uuid.uuid4().hex[:12]}")
    plan.insert(
        models.Encounter,
        {
            **stamp,
            "id": ident,
            "status": "in-progress",
            "class_code": "IMP",
            "patient_id": patient["id"],
            "location_id": location,
            "period_start": stay.start,
            "visit_number": stay.visit_number,
        },
    )
    index.stays[(patient["id"], stay.start)] = ident
    index.active_stay[patient["id"]] = ident
    report.count(report.create, "Encounter")
    if bed is not None:
        index.occupied[location] = patient["id"]
        plan.updates.append((models.Location, location, {"operational_status": "O"}, {}))
        plan.insert(
            models.BedEvent,
            {
                "at": now,
                "bed_id": location,
                "from_status": bed.get("status"),
                "to_status": "O",
                "source": "import",
                "actor": "import",
            },
        )
        bed["status"] = "O"


def plan_appointment(
    index: Index,
    stamp: dict[str, Any],
    now: datetime,
    appt: r.Appointment,
    plan: Plan,
    report: r.FileReport,
) -> None:
    patient = index.patients.get(appt.mrn)
    if patient is None:
        raise Rejected("unknown patient (MRN not in the HMS or this import)")
    clinician = index.staff.get(appt.clinician)
    if clinician is None:
        raise Rejected(f"unknown clinician {appt.clinician}")
    service_id = index.services.get(appt.service_code.lower())
    if service_id is None:
        raise Rejected(f"unknown clinic {appt.service_code}")
    if appt.end <= appt.start:
        raise Rejected("the appointment ends before it starts")
    prac = str(clinician["id"])
    clash = index.clash(prac, appt.start, appt.end)
    if clash is not None and clash[:3] == (appt.start, appt.end, patient["id"]):
        report.count(report.unchanged, "Appointment")
        return
    if appt.start <= now:
        raise Rejected("the appointment is in the past (only future bookings are imported)")
    if clash is not None:
        raise Rejected("conflicting booking: the clinician is already booked at that time")
    service = appt.service_code.lower()
    schedule = index.schedules.get((prac, service))
    if schedule is None:
        schedule = index.new_id(fhir_id("sch-", f"{service}-{prac.removeprefix('prac-')}"))
        plan.insert(
            models.Schedule,
            {
                **stamp,
                "id": schedule,
                "practitioner_id": prac,
                "service_id": service_id,
                "service_code": service,
            },
        )
        index.schedules[(prac, service)] = schedule
        report.count(report.create, "Schedule")
    slot = index.slots.get((schedule, appt.start))
    if slot is not None and (slot["status"] != "free" or slot["end"] != appt.end):
        raise Rejected("conflicting booking: the clinician's slot at that time is not free")
    if slot is None:
        slot_id = index.new_id(f"slot-imp-{len(index.ids):06d}")
        plan.insert(
            models.Slot,
            {
                **stamp,
                "id": slot_id,
                "schedule_id": schedule,
                "practitioner_id": prac,
                "service_code": service,
                "status": "busy",
                "start": appt.start,
                "end": appt.end,
            },
        )
        index.slots[(schedule, appt.start)] = {"id": slot_id, "status": "busy", "end": appt.end}
        report.count(report.create, "Slot")
    else:
        slot_id = slot["id"]
        plan.updates.append((models.Slot, slot_id, {"status": "busy"}, {"status": "free"}))
        slot["status"] = "busy"
        report.count(report.update, "Slot")
    plan.insert(
        models.Appointment,
        {
            **stamp,
            "status": "booked",
            "slot_id": slot_id,
            "patient_id": patient["id"],
            "practitioner_id": prac,
            "service_code": service,
            "start": appt.start,
            "end": appt.end,
            "created": now,
            "description": "imported",
        },
    )
    index.bookings[prac].append((appt.start, appt.end, patient["id"]))
    report.count(report.create, "Appointment")
