"""Task (help requests) <-> FHIR."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hms import models
from hms.config import Systems
from hms.fhir import DEFAULT_SYSTEMS, HELP_TYPES
from hms.fhir.common import Json, concept, meta
from hms.timeutil import to_wire


def task_id(pk: int) -> str:
    return f"task-{pk}"


def ticket_identifier(pk: int) -> str:
    return f"HR-{pk:06d}"


def task_json(row: models.Task, tz: ZoneInfo, systems: Systems = DEFAULT_SYSTEMS) -> Json:
    out: Json = {
        "resourceType": "Task",
        "id": task_id(row.pk),
        "meta": meta(row),
        "identifier": [{"system": systems.ticket, "value": row.identifier}],
        "status": row.status,
        "intent": row.intent,
        "priority": row.priority,
        "code": concept(systems.help_type, row.code, HELP_TYPES.get(row.code)),
        "authoredOn": to_wire(row.authored_on, tz),
        "lastModified": to_wire(row.updated_at, tz),
    }
    if row.description:
        out["description"] = row.description
    if row.business_status:
        out["businessStatus"] = {"text": row.business_status}
    for key, value in (("requester", row.requester), ("owner", row.owner), ("for", row.for_ref)):
        if value:
            out[key] = {"reference": value}
    if row.location_id:
        out["location"] = {"reference": f"Location/{row.location_id}"}
    if row.notes:
        out["note"] = [{"text": text} for text in row.notes]
    return out
