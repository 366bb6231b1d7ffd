"""``Patient``, ``Encounter``, ``Practitioner`` and ``PractitionerRole`` read and search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hms import models
from hms.fhir.people import encounter_json, patient_json, practitioner_json, role_json
from hms.routes.common import (
    add_read,
    get_session,
    page,
    run_search,
    search_params,
    systems,
)
from hms.routes.common import tz as request_tz
from hms.search import reference_filter, string_filter, token_filter

router = APIRouter()


@router.get("/Patient")
def search_patients(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, {"identifier", "name", "family", "given"})
    pat = models.Patient
    where = reference_filter(params, "_id", pat.id, "Patient")
    where += token_filter(params, "identifier", pat.mrn, systems(request).mrn)
    where += string_filter(params, "name", pat.search_text)
    where += string_filter(params, "family", func.lower(pat.family))
    where += string_filter(params, "given", func.lower(pat.given))
    rows, total = run_search(session, select(pat).where(*where), params, [pat.family, pat.id])
    return page(request, params, [patient_json(r, systems(request)) for r in rows], total)


add_read(
    router,
    "Patient",
    models.Patient,
    lambda row, request: patient_json(row, systems(request)),
)


@router.get("/Encounter")
def search_encounters(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, {"patient", "subject", "location", "status"})
    enc = models.Encounter
    where = reference_filter(params, "_id", enc.id, "Encounter")
    where += reference_filter(params, "patient", enc.patient_id, "Patient")
    where += reference_filter(params, "subject", enc.patient_id, "Patient")
    where += reference_filter(params, "location", enc.location_id, "Location")
    where += token_filter(params, "status", enc.status, None)
    rows, total = run_search(session, select(enc).where(*where), params, [enc.id])
    zone = request_tz(request)
    return page(request, params, [encounter_json(r, zone) for r in rows], total)


add_read(
    router,
    "Encounter",
    models.Encounter,
    lambda row, request: encounter_json(row, request_tz(request)),
)


@router.get("/Practitioner")
def search_practitioners(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, {"identifier", "name", "family", "given", "email"})
    prac = models.Practitioner
    where = reference_filter(params, "_id", prac.id, "Practitioner")
    where += token_filter(params, "identifier", prac.username, systems(request).staff)
    where += string_filter(params, "name", prac.search_text)
    where += string_filter(params, "family", func.lower(prac.family))
    where += string_filter(params, "given", func.lower(prac.given))
    for raw in params.values("email"):
        where.append(func.lower(prac.email).in_([v.strip().lower() for v in raw.split(",")]))
    rows, total = run_search(session, select(prac).where(*where), params, [prac.id])
    return page(request, params, [practitioner_json(r, systems(request)) for r in rows], total)


add_read(
    router,
    "Practitioner",
    models.Practitioner,
    lambda row, request: practitioner_json(row, systems(request)),
)


@router.get("/PractitionerRole")
def search_roles(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(
        request, {"practitioner", "role", "location", "service", "practitioner.identifier"}
    )
    role = models.PractitionerRole
    where = reference_filter(params, "_id", role.id, "PractitionerRole")
    where += reference_filter(params, "practitioner", role.practitioner_id, "Practitioner")
    where += token_filter(params, "role", role.role, systems(request).role)
    where += reference_filter(params, "location", role.location_id, "Location")
    where += reference_filter(params, "service", role.service_id, "HealthcareService")
    stmt = select(role)
    chained = token_filter(
        params, "practitioner.identifier", models.Practitioner.username, systems(request).staff
    )
    if chained:
        stmt = stmt.join(models.Practitioner, models.Practitioner.id == role.practitioner_id)
        where += chained
    rows, total = run_search(session, stmt.where(*where), params, [role.id])
    includes: list[dict[str, Any]] = []
    if "PractitionerRole:practitioner" in params.includes() and rows:
        ids = sorted({r.practitioner_id for r in rows})
        pracs = session.scalars(select(models.Practitioner).where(models.Practitioner.id.in_(ids)))
        includes = [practitioner_json(p, systems(request)) for p in pracs]
    return page(request, params, [role_json(r, systems(request)) for r in rows], total, includes)


add_read(
    router,
    "PractitionerRole",
    models.PractitionerRole,
    lambda row, request: role_json(row, systems(request)),
)
