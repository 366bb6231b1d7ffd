"""HealthcareService, Schedule, Slot, Appointment <-> FHIR."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hms import models
from hms.config import Systems
from hms.fhir import DEFAULT_SYSTEMS
from hms.fhir.common import Json, concept, meta, ref
from hms.timeutil import instant, to_wire


def service_json(row: models.HealthcareService, systems: Systems = DEFAULT_SYSTEMS) -> Json:
    return {
        "resourceType": "HealthcareService",
        "id": row.id,
        "meta": meta(row),
        "active": True,
        "type": [concept(systems.service_type, row.code, row.name.removesuffix(" Clinic"))],
        "name": row.name,
    }


def schedule_json(row: models.Schedule, systems: Systems = DEFAULT_SYSTEMS) -> Json:
    return {
        "resourceType": "Schedule",
        "id": row.id,
        "meta": meta(row),
        "active": True,
        "serviceType": [concept(systems.service_type, row.service_code)],
        "actor": [
            ref("Practitioner", row.practitioner_id),
            ref("HealthcareService", row.service_id),
        ],
    }


def slot_json(row: models.Slot, tz: ZoneInfo, systems: Systems = DEFAULT_SYSTEMS) -> Json:
    return {
        "resourceType": "Slot",
        "id": row.id,
        "meta": meta(row),
        "serviceType": [concept(systems.service_type, row.service_code)],
        "schedule": ref("Schedule", row.schedule_id),
        "status": row.status,
        "start": to_wire(row.start, tz),
        "end": to_wire(row.end, tz),
    }


def appointment_id(pk: int) -> str:
    return f"appt-{pk}"


def appointment_json(
    row: models.Appointment, tz: ZoneInfo, systems: Systems = DEFAULT_SYSTEMS
) -> Json:
    participants = [
        {"actor": ref("Patient", row.patient_id), "required": "required", "status": "accepted"}
    ]
    if row.practitioner_id:
        participants.append(
            {
                "actor": ref("Practitioner", row.practitioner_id),
                "required": "required",
                "status": "accepted",
            }
        )
    out: Json = {
        "resourceType": "Appointment",
        "id": appointment_id(row.pk),
        "meta": meta(row),
        "status": row.status,
        "serviceType": [concept(systems.service_type, row.service_code)],
        "start": to_wire(row.start, tz),
        "end": to_wire(row.end, tz),
        "created": instant(row.created)[:10],
        "slot": [ref("Slot", row.slot_id)],
        "participant": participants,
    }
    if row.description:
        out["description"] = row.description
    if row.comment:
        out["comment"] = row.comment
    return out
