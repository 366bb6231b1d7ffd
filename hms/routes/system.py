"""``/healthz``, ``/metadata`` (CapabilityStatement), ``/directory`` and the 404 fallback."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from hms import models
from hms.auth import check_bearer
from hms.errors import HMSError, NotFound
from hms.fhir import FEATURES, ROLES
from hms.fhir.people import practitioner_display
from hms.routes.common import fhir, get_session, options

public = APIRouter()
fallback = APIRouter()
# ``GET /metadata`` needs no token: FHIR (and SMART on FHIR) clients read the
# CapabilityStatement before they authenticate.
conformance = APIRouter()

# resource type -> (interactions, search params); the CapabilityStatement is built from it.
CAPABILITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Location": (
        ("read", "search-type", "update"),
        ("_id", "partof", "operational-status", "name", "identifier", "physical-type", "type"),
    ),
    "Patient": (("read", "search-type"), ("_id", "identifier", "name", "family", "given")),
    "Encounter": (("read", "search-type"), ("_id", "patient", "subject", "location", "status")),
    "Practitioner": (
        ("read", "search-type"),
        ("_id", "identifier", "name", "family", "given", "email"),
    ),
    "PractitionerRole": (
        ("read", "search-type"),
        ("_id", "practitioner", "role", "location", "service", "practitioner.identifier"),
    ),
    "HealthcareService": (("read", "search-type"), ("_id", "service-type", "name")),
    "Schedule": (("read", "search-type"), ("_id", "actor", "service-type")),
    "Slot": (
        ("read", "search-type"),
        ("_id", "schedule", "status", "start", "service-type", "practitioner", "schedule.actor"),
    ),
    "Appointment": (
        ("create", "read", "search-type", "update"),
        ("_id", "patient", "practitioner", "date", "status", "slot", "service-type"),
    ),
    "Task": (
        ("create", "read", "search-type", "update"),
        ("_id", "code", "location", "priority", "status", "owner", "requester", "identifier"),
    ),
}
_PARAM_TYPES = {
    "start": "date",
    "date": "date",
    "name": "string",
    "family": "string",
    "given": "string",
    "email": "token",
}
_REFERENCE = {
    "partof",
    "patient",
    "subject",
    "location",
    "practitioner",
    "service",
    "actor",
    "schedule",
    "slot",
    "owner",
    "requester",
    "schedule.actor",
}


def _param_type(name: str) -> str:
    return "reference" if name in _REFERENCE else _PARAM_TYPES.get(name, "token")


# search parameters that are reference-HMS extensions (not R4 search parameters); with
# HMS_EXTENSIONS=off they are neither served nor listed
CUSTOM_PARAMS: dict[str, frozenset[str]] = {
    "Location": frozenset({"physical-type"}),
    "Slot": frozenset({"practitioner"}),
    "Task": frozenset({"location"}),
}


def capability_statement(
    software_version: str = "0.1.0", extensions: bool = True
) -> dict[str, Any]:
    resources = []
    for kind, (interactions, all_params) in CAPABILITIES.items():
        custom = CUSTOM_PARAMS.get(kind, frozenset())
        params = [p for p in all_params if extensions or p not in custom]
        entry: dict[str, Any] = {
            "type": kind,
            "interaction": [{"code": code} for code in interactions],
            "searchParam": [
                {"name": p, "type": _param_type(p)}
                | ({"documentation": "reference-HMS extension"} if p in custom else {})
                for p in params
            ],
        }
        if "update" in interactions:
            entry["versioning"] = "versioned-update"
        if kind == "PractitionerRole":
            entry["searchInclude"] = ["PractitionerRole:practitioner"]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-01-01",
        "kind": "instance",
        "software": {"name": "HMS reference server", "version": software_version},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "description": "Authorization: Bearer <HMS_API_TOKEN>; "
                    "X-Acting-Staff: <username> is recorded on writes"
                },
                "resource": resources,
            }
        ],
    }


@public.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@public.get("/directory", dependencies=[Depends(check_bearer)])
def directory(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    """Names other tools turn into NLU lookups: wards, departments, clinicians, bed types.
    A reference-HMS extension: 404 with ``HMS_EXTENSIONS=off``."""
    if not options(request).extensions:
        raise NotFound("/directory is a reference-HMS extension (HMS_EXTENSIONS=off)")
    wards = session.scalars(
        select(models.Location)
        .where(models.Location.physical_type == "wa")
        .order_by(models.Location.id)
    )
    services = session.scalars(
        select(models.HealthcareService).order_by(models.HealthcareService.id)
    )
    clinicians = session.scalars(
        select(models.Practitioner)
        .join(
            models.PractitionerRole,
            models.PractitionerRole.practitioner_id == models.Practitioner.id,
        )
        .where(models.PractitionerRole.role == "clinician")
        .order_by(models.Practitioner.id)
        .distinct()
    )
    return JSONResponse(
        {
            "wards": [
                {"id": w.id, "code": w.code, "name": w.name, "aliases": list(w.aliases)}
                for w in wards
            ],
            "departments": [{"id": s.id, "code": s.code, "name": s.name} for s in services],
            "clinicians": [
                {
                    "id": c.id,
                    "username": c.username,
                    "name": practitioner_display(c),
                    "family": c.family,
                }
                for c in clinicians
            ],
            "bed_features": [{"code": k, "name": v} for k, v in FEATURES.items()],
            "roles": list(ROLES),
        }
    )


@conformance.get("/metadata")
def metadata(request: Request) -> JSONResponse:
    return fhir(capability_statement(extensions=options(request).extensions))


@fallback.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str, request: Request) -> JSONResponse:
    kind = rest.split("/", 1)[0]
    if kind in CAPABILITIES:
        raise MethodNotAllowed(f"{request.method} {kind} is not supported")
    raise NotFound(f"unknown resource type or path: {kind!r}")


class MethodNotAllowed(HMSError):
    status, code = 405, "not-supported"
