"""Map stored audit events to FHIR R4 ``AuditEvent`` resources (JSON dicts)."""

from __future__ import annotations

from typing import Any

from assistant.audit.chain import utc
from assistant.store.models import AuditEventRow

DCM = "http://dicom.nema.org/resources/ontology/DCM"
EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
INTENT_SYSTEM = "urn:hms:intent"
STAFF_SYSTEM = "urn:hms:staff"
ROLE_SYSTEM = "urn:hms:role"
CHANNEL_SYSTEM = "urn:hms:channel"
OBSERVER = "HMS Staff Assistant"

# outcome -> FHIR AuditEvent.outcome: 0 success, 4 minor failure, 8 serious failure
OUTCOME_CODES = {
    "success": "0",
    "denied": "4",
    "not_found": "4",
    "conflict": "4",
    "refused": "4",
    "error": "8",
}
_CREATE = {"book", "create", "request", "open", "add", "escalate", "write"}
_UPDATE = {"update", "cancel", "claim", "set", "change", "assign", "release", "resolve"}
_READ = {"read", "list", "search", "locate", "find", "view", "lookup", "check"}


def action_code(event_action: str, permission: str | None) -> str:
    """C/R/U/E from the permission verb (``resource:verb``), else from the action name."""
    verb = permission.rsplit(":", 1)[-1] if permission else ""
    words = {verb, *event_action.lower().replace("-", "_").split("_")}
    if words & _CREATE:
        return "C"
    if words & _UPDATE:
        return "U"
    if words & _READ:
        return "R"
    return "E"


def _what(ref: str) -> dict[str, Any]:
    return {"reference": ref} if "/" in ref else {"display": ref}


def to_fhir(row: AuditEventRow) -> dict[str, Any]:
    """One stored event as a FHIR R4 AuditEvent (no PHI: references only)."""
    outcome_desc = row.outcome + (f": {row.reason}" if row.reason else "")
    entities: list[dict[str, Any]] = []
    if row.resource:
        entities.append(
            {
                "what": _what(row.resource),
                "type": {"system": ENTITY_TYPE, "code": "2", "display": "System Object"},
            }
        )
    if row.patient_ref:
        ref = row.patient_ref if "/" in row.patient_ref else f"Patient/{row.patient_ref}"
        entities.append(
            {
                "what": {"reference": ref},
                "type": {"system": ENTITY_TYPE, "code": "1", "display": "Person"},
                "role": {"system": OBJECT_ROLE, "code": "1", "display": "Patient"},
            }
        )
    entities.append(
        {
            "type": {"system": ENTITY_TYPE, "code": "4", "display": "Other"},
            "name": "audit-chain",
            "detail": [
                {"type": "seq", "valueString": str(row.seq)},
                {"type": "hash", "valueString": row.hash},
                {"type": "prev_hash", "valueString": row.prev_hash},
                {"type": "key_id", "valueString": row.key_id or "unkeyed"},
            ],
        }
    )
    subtype = [{"system": INTENT_SYSTEM, "code": row.intent}]
    if row.permission:
        subtype.append({"system": "urn:hms:permission", "code": row.permission})
    return {
        "resourceType": "AuditEvent",
        "id": f"audit-{row.seq}",
        "type": {"system": DCM, "code": "110100", "display": "Application Activity"},
        "subtype": subtype,
        "action": action_code(row.action, row.permission),
        "recorded": utc(row.at).isoformat(timespec="microseconds"),
        "outcome": OUTCOME_CODES.get(row.outcome, "8"),
        "outcomeDesc": outcome_desc,
        "agent": [
            {
                "who": {"identifier": {"system": STAFF_SYSTEM, "value": row.staff}},
                "role": [{"coding": [{"system": ROLE_SYSTEM, "code": row.role}]}],
                "requestor": True,
            }
        ],
        "source": {
            "observer": {"display": OBSERVER},
            "site": row.channel,
            "type": [{"system": SOURCE_TYPE, "code": "4", "display": "Application Server"}],
        },
        "entity": entities,
    }
