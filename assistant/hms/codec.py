"""FHIR R4 JSON <-> domain dataclasses, following the conventions in docs/architecture.md.

Parsing is tolerant (missing optional elements become ``None``) so the client works with
any FHIR R4 server; its identifier and code systems are settings (``IdentifierSystems``,
passed as ``systems``; the ``urn:hms:*`` constants below are the defaults).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from .models import (
    BED_STATUSES,
    Appointment,
    Bed,
    HelpTask,
    Patient,
    Service,
    Slot,
    Staff,
    Ward,
)
from .systems import DEFAULT_SYSTEMS, IdentifierSystems

Json = dict[str, Any]

PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
BED_STATUS = "http://terminology.hl7.org/CodeSystem/v2-0116"
WARD_ID = "urn:hms:ward"
BED_ID = "urn:hms:bed"
BED_FEATURE = "urn:hms:bed-feature"
MRN = "urn:hms:mrn"
STAFF = "urn:hms:staff"
ROLE = "urn:hms:role"
SERVICE_TYPE = "urn:hms:service-type"
TICKET = "urn:hms:ticket"
HELP_TYPE = "urn:hms:help-type"


def _codings(value: Any) -> Iterable[Json]:
    """Codings of a Coding, a CodeableConcept, or a list of either."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            continue
        if "coding" in item:
            yield from (c for c in item["coding"] or [] if isinstance(c, dict))
        elif "code" in item:
            yield item


def codes(value: Any, system: str | None = None) -> list[str]:
    return [
        str(c["code"])
        for c in _codings(value)
        if c.get("code") is not None and (system is None or c.get("system") == system)
    ]


def code(value: Any, system: str | None = None) -> str | None:
    found = codes(value, system)
    return found[0] if found else None


def ident(resource: Json, system: str) -> str | None:
    for item in resource.get("identifier") or []:
        if item.get("system") == system and item.get("value"):
            return str(item["value"])
    return None


def ref_id(reference: Any, kind: str | None = None) -> str | None:
    """``{"reference": "Location/bed-4b-06"}`` (relative or absolute, with or without
    ``_history``) -> ``bed-4b-06``; ``None`` if absent or of another resource type."""
    if not isinstance(reference, dict) or not reference.get("reference"):
        return None
    parts = str(reference["reference"]).split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) < 2 or (kind is not None and parts[-2] != kind):
        return None
    return parts[-1]


def ref(kind: str, id_: str) -> Json:
    return {"reference": f"{kind}/{id_}"}


def instant(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None  # partial dates (e.g. "1970") carry no full day


def version(resource: Json) -> str | None:
    value = (resource.get("meta") or {}).get("versionId")
    return str(value) if value is not None else None


def physical_type(location: Json) -> str | None:
    return code(location.get("physicalType"), PHYSICAL_TYPE)


def to_ward(res: Json, systems: IdentifierSystems = DEFAULT_SYSTEMS) -> Ward:
    name = str(res.get("name") or res["id"])
    return Ward(
        id=str(res["id"]),
        code=ident(res, systems.ward) or name,
        name=name,
        aliases=tuple(str(a) for a in res.get("alias") or []),
    )


def to_bed(
    res: Json,
    wards: Mapping[str, Ward],
    ward_id: str | None = None,
    systems: IdentifierSystems = DEFAULT_SYSTEMS,
) -> Bed:
    bed_ident = ident(res, systems.bed)
    ward_id = ward_id or ref_id(res.get("partOf"), "Location")
    ward = wards.get(ward_id or "")
    ward_code = ward.code if ward else (bed_ident.rsplit("-", 1)[0] if bed_ident else None)
    status = code(res.get("operationalStatus"), BED_STATUS)
    return Bed(
        id=str(res["id"]),
        label=str(res.get("name") or bed_ident or res["id"]),
        ward_id=ward.id if ward else ward_id,
        ward_code=ward_code,
        status=status,
        features=frozenset(codes(res.get("type"), systems.bed_feature)),
        room=res.get("description") or None,
        version=version(res),
    )


def bed_status_coding(status: str) -> Json:
    return {"system": BED_STATUS, "code": status, "display": BED_STATUSES[status]}


def _human_name(names: Any) -> tuple[str, str, str]:
    """(given, family, text) of the official (else first) HumanName."""
    names = [n for n in names or [] if isinstance(n, dict)]
    if not names:
        return "", "", ""
    best = next((n for n in names if n.get("use") == "official"), names[0])
    given = " ".join(str(g) for g in best.get("given") or [])
    family = str(best.get("family") or "")
    return given, family, str(best.get("text") or " ".join(p for p in (given, family) if p))


def display_name(names: Any) -> str:
    """The text of the official (else first) HumanName, e.g. ``Dr Raj Patel``."""
    given, family, text = _human_name(names)
    return text or " ".join(p for p in (given, family) if p)


def to_patient(res: Json, systems: IdentifierSystems = DEFAULT_SYSTEMS) -> Patient:
    given, family, _ = _human_name(res.get("name"))
    return Patient(
        id=str(res["id"]),
        mrn=ident(res, systems.mrn),
        given=given,
        family=family,
        birth_date=day(res.get("birthDate")),
    )


def to_staff(
    prac: Json,
    roles: Iterable[Json],
    wards: Mapping[str, Ward],
    systems: IdentifierSystems = DEFAULT_SYSTEMS,
) -> Staff:
    _, _, name = _human_name(prac.get("name"))
    email = next(
        (
            str(t["value"])
            for t in prac.get("telecom") or []
            if t.get("system") == "email" and t.get("value")
        ),
        None,
    )
    role_codes: set[str] = set()
    ward_codes: set[str] = set()
    specialties: set[str] = set()
    for role in roles:
        if role.get("active") is False:
            continue
        role_codes.update(codes(role.get("code"), systems.role))
        specialties.update(codes(role.get("specialty"), systems.service_type))
        for loc in role.get("location") or []:
            ward = wards.get(ref_id(loc, "Location") or "")
            if ward:
                ward_codes.add(ward.code)
    return Staff(
        id=str(prac["id"]),
        username=ident(prac, systems.staff) or str(prac["id"]),
        name=name,
        email=email,
        roles=frozenset(role_codes),
        ward_codes=frozenset(ward_codes),
        active=prac.get("active") is not False,
        specialties=frozenset(specialties),
    )


def to_service(res: Json, systems: IdentifierSystems = DEFAULT_SYSTEMS) -> Service:
    svc_id = str(res["id"])
    svc_code = code(res.get("type"), systems.service_type) or svc_id.removeprefix("svc-")
    return Service(id=svc_id, code=svc_code, name=str(res.get("name") or svc_code))


def to_slot(res: Json, schedule: Json | None, systems: IdentifierSystems = DEFAULT_SYSTEMS) -> Slot:
    service = code(res.get("serviceType"), systems.service_type)
    practitioner = None
    if schedule:
        service = service or code(schedule.get("serviceType"), systems.service_type)
        practitioner = next(
            (p for p in (ref_id(a, "Practitioner") for a in schedule.get("actor") or []) if p),
            None,
        )
    start, end = instant(res.get("start")), instant(res.get("end"))
    if start is None or end is None:
        raise ValueError("Slot without start/end")
    return Slot(
        id=str(res["id"]),
        schedule_id=ref_id(res.get("schedule"), "Schedule"),
        service_code=service,
        practitioner_id=practitioner,
        start=start,
        end=end,
        status=str(res.get("status") or ""),
        version=version(res),
    )


def _participant(res: Json, kind: str) -> str | None:
    for part in res.get("participant") or []:
        found = ref_id(part.get("actor"), kind)
        if found:
            return found
    return None


def to_appointment(res: Json, systems: IdentifierSystems = DEFAULT_SYSTEMS) -> Appointment:
    slots = [s for s in (ref_id(r, "Slot") for r in res.get("slot") or []) if s]
    return Appointment(
        id=str(res["id"]),
        status=str(res.get("status") or ""),
        patient_id=_participant(res, "Patient"),
        practitioner_id=_participant(res, "Practitioner"),
        slot_id=slots[0] if slots else None,
        start=instant(res.get("start")),
        end=instant(res.get("end")),
        service_code=code(res.get("serviceType"), systems.service_type),
    )


def staff_username(
    reference: Any, usernames: Mapping[str, str], systems: IdentifierSystems = DEFAULT_SYSTEMS
) -> str | None:
    """Username of a Practitioner reference: its identifier, else the id -> username map."""
    if not isinstance(reference, dict):
        return None
    logical = reference.get("identifier") or {}
    if logical.get("system") == systems.staff and logical.get("value"):
        return str(logical["value"])
    prac_id = ref_id(reference, "Practitioner")
    return usernames.get(prac_id, prac_id) if prac_id else None


def staff_ref(staff_id: str, username: str, systems: IdentifierSystems = DEFAULT_SYSTEMS) -> Json:
    logical = {"system": systems.staff, "value": username}
    return {**ref("Practitioner", staff_id), "identifier": logical}


def to_task(
    res: Json, usernames: Mapping[str, str], systems: IdentifierSystems = DEFAULT_SYSTEMS
) -> HelpTask:
    return HelpTask(
        id=str(res["id"]),
        ticket_id=ident(res, systems.ticket),
        help_type=code(res.get("code"), systems.help_type),
        status=str(res.get("status") or ""),
        priority=res.get("priority"),
        location_id=ref_id(res.get("location"), "Location"),
        description=res.get("description"),
        requester=staff_username(res.get("requester"), usernames, systems),
        owner=staff_username(res.get("owner"), usernames, systems),
        business_status=(res.get("businessStatus") or {}).get("text"),
        authored=instant(res.get("authoredOn")),
        notes=tuple(str(n["text"]) for n in res.get("note") or [] if n.get("text")),
    )
