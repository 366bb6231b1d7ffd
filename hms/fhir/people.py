"""Patient, Encounter, Practitioner, PractitionerRole <-> FHIR."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hms import models
from hms.config import Systems
from hms.fhir import DEFAULT_SYSTEMS, SYS_ACT_CODE
from hms.fhir.common import Json, coding, concept, meta, ref
from hms.timeutil import to_wire

# identifier type "VN" (visit number, HL7 table 0203) for the ADT feed's PV1-19
VISIT_NUMBER = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "VN"}]
}


def patient_json(row: models.Patient, systems: Systems = DEFAULT_SYSTEMS) -> Json:
    return {
        "resourceType": "Patient",
        "id": row.id,
        "meta": meta(row),
        "identifier": [{"system": systems.mrn, "value": row.mrn}],
        "active": True,
        "name": [{"use": "official", "family": row.family, "given": [row.given]}],
        "gender": row.gender,
        "birthDate": row.birth_date.isoformat(),
    }


def encounter_json(row: models.Encounter, tz: ZoneInfo) -> Json:
    out: Json = {
        "resourceType": "Encounter",
        "id": row.id,
        "meta": meta(row),
        "status": row.status,
        "class": coding(SYS_ACT_CODE, row.class_code, "inpatient encounter"),
        "subject": ref("Patient", row.patient_id),
        "period": {"start": to_wire(row.period_start, tz)},
    }
    if row.period_end is not None:
        out["period"]["end"] = to_wire(row.period_end, tz)
    if row.visit_number:
        out["identifier"] = [{"type": VISIT_NUMBER, "value": row.visit_number}]
    if row.location_id:
        out["location"] = [{"location": ref("Location", row.location_id), "status": "active"}]
    return out


def practitioner_display(row: models.Practitioner) -> str:
    return " ".join(p for p in (row.prefix, row.given, row.family) if p)


def practitioner_json(row: models.Practitioner, systems: Systems = DEFAULT_SYSTEMS) -> Json:
    name: Json = {
        "use": "official",
        "family": row.family,
        "given": [row.given],
        "text": practitioner_display(row),
    }
    if row.prefix:
        name["prefix"] = [row.prefix]
    return {
        "resourceType": "Practitioner",
        "id": row.id,
        "meta": meta(row),
        "identifier": [{"system": systems.staff, "value": row.username}],
        "active": True,
        "name": [name],
        "telecom": [{"system": "email", "value": row.email, "use": "work"}],
    }


def role_json(row: models.PractitionerRole, systems: Systems = DEFAULT_SYSTEMS) -> Json:
    out: Json = {
        "resourceType": "PractitionerRole",
        "id": row.id,
        "meta": meta(row),
        "active": True,
        "practitioner": ref("Practitioner", row.practitioner_id),
        "code": [concept(systems.role, row.role, row.role.replace("_", " "))],
    }
    if row.specialty:
        out["specialty"] = [concept(systems.service_type, row.specialty)]
    if row.location_id:
        out["location"] = [ref("Location", row.location_id)]
    if row.service_id:
        out["healthcareService"] = [ref("HealthcareService", row.service_id)]
    return out
