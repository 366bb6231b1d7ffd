"""Location (wards and beds) <-> FHIR."""

from __future__ import annotations

from hms import models
from hms.config import Systems
from hms.fhir import (
    BED_STATUS,
    DEFAULT_SYSTEMS,
    FEATURES,
    PHYSICAL,
    SYS_BED_STATUS,
    SYS_PHYSICAL,
)
from hms.fhir.common import Json, coding, concept, meta, ref
from hms.timeutil import instant

# reference-HMS extension: an ADT pending event on the bed (A14/A15/A16)
EXT_BED_PENDING = "urn:hms:extension:bed-pending"


def pending_extension(row: models.Location) -> Json:
    parts: list[Json] = [{"url": "state", "valueCode": row.pending}]
    if row.pending_at is not None:
        parts.append({"url": "expected", "valueDateTime": instant(row.pending_at)})
    return {"url": EXT_BED_PENDING, "extension": parts}


def location_json(
    row: models.Location, systems: Systems = DEFAULT_SYSTEMS, extensions: bool = True
) -> Json:
    """A ward or bed; ``extensions`` adds the reference HMS's bed-pending extension."""
    is_bed = row.physical_type == "bd"
    out: Json = {
        "resourceType": "Location",
        "id": row.id,
        "meta": meta(row),
        "identifier": [{"system": systems.bed if is_bed else systems.ward, "value": row.code}],
        "status": "active" if row.operational_status != "C" else "suspended",
        "name": row.name,
        "mode": "instance",
        "physicalType": concept(SYS_PHYSICAL, row.physical_type, PHYSICAL[row.physical_type]),
    }
    if row.aliases:
        out["alias"] = list(row.aliases)
    if row.description:
        out["description"] = row.description
    if row.operational_status:
        code = row.operational_status
        out["operationalStatus"] = coding(SYS_BED_STATUS, code, BED_STATUS[code])
    features = [f for f in row.features.split("|") if f]
    if features:
        out["type"] = [concept(systems.bed_feature, f, FEATURES.get(f)) for f in features]
    if row.part_of_id:
        out["partOf"] = ref("Location", row.part_of_id)
    if row.pending and extensions:
        out["extension"] = [pending_extension(row)]
    return out
