"""``HealthcareService``, ``Schedule`` and ``Slot`` read and search.

Slots can be searched by practitioner either with the chained ``schedule.actor``
(``schedule.actor=Practitioner/prac-dr-patel``) or the custom ``practitioner`` parameter.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from hms import models
from hms.errors import BadRequest
from hms.fhir.scheduling import schedule_json, service_json, slot_json
from hms.routes.common import (
    add_read,
    get_session,
    page,
    run_search,
    search_params,
    systems,
)
from hms.routes.common import tz as request_tz
from hms.search import (
    SearchParams,
    any_of,
    date_filter,
    parse_reference,
    reference_filter,
    sort_keys,
    string_filter,
    token_filter,
)

router = APIRouter()


def actor_filter(
    params: SearchParams, name: str, practitioner_col: Any, service_col: Any
) -> list[ColumnElement[bool]]:
    """``Practitioner/<id>`` or ``HealthcareService/<id>`` (bare ids by their prefix)."""
    clauses = []
    for raw in params.values(name):
        ors = []
        for part in raw.split(","):
            kind = (
                part.split("/")[-2]
                if "/" in part
                else ("HealthcareService" if part.startswith("svc-") else "Practitioner")
            )
            if kind not in ("Practitioner", "HealthcareService"):
                raise BadRequest(f"{name} must reference a Practitioner or HealthcareService")
            ident = parse_reference(part, kind, name)
            ors.append(
                practitioner_col == ident
                if kind == "Practitioner"
                else service_col == ident
                if service_col is not None
                else false()
            )
        clauses.append(any_of(ors))
    return clauses


@router.get("/HealthcareService")
def search_services(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, {"service-type", "name"})
    svc = models.HealthcareService
    where = reference_filter(params, "_id", svc.id, "HealthcareService")
    where += token_filter(params, "service-type", svc.code, systems(request).service_type)
    where += string_filter(params, "name", svc.search_text)
    rows, total = run_search(session, select(svc).where(*where), params, [svc.id])
    return page(request, params, [service_json(r, systems(request)) for r in rows], total)


add_read(
    router,
    "HealthcareService",
    models.HealthcareService,
    lambda row, request: service_json(row, systems(request)),
)


@router.get("/Schedule")
def search_schedules(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, {"actor", "service-type", "active"})
    sch = models.Schedule
    where = reference_filter(params, "_id", sch.id, "Schedule")
    where += actor_filter(params, "actor", sch.practitioner_id, sch.service_id)
    where += token_filter(params, "service-type", sch.service_code, systems(request).service_type)
    rows, total = run_search(session, select(sch).where(*where), params, [sch.id])
    return page(request, params, [schedule_json(r, systems(request)) for r in rows], total)


add_read(
    router,
    "Schedule",
    models.Schedule,
    lambda row, request: schedule_json(row, systems(request)),
)


SLOT_PARAMS = {"schedule", "status", "start", "service-type", "practitioner", "schedule.actor"}


@router.get("/Slot")
def search_slots(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, SLOT_PARAMS, frozenset({"practitioner"}))
    slot, zone = models.Slot, request_tz(request)
    where = reference_filter(params, "_id", slot.id, "Slot")
    where += reference_filter(params, "schedule", slot.schedule_id, "Schedule")
    where += token_filter(params, "status", slot.status, None)
    where += date_filter(params, "start", slot.start, zone)
    where += token_filter(params, "service-type", slot.service_code, systems(request).service_type)
    where += reference_filter(params, "practitioner", slot.practitioner_id, "Practitioner")
    stmt = select(slot)
    chained = actor_filter(
        params, "schedule.actor", slot.practitioner_id, models.Schedule.service_id
    )
    if chained:
        stmt = stmt.join(models.Schedule, models.Schedule.id == slot.schedule_id)
        where += chained
    order = sort_keys(params, {"start": slot.start}) + [slot.start, slot.id]
    rows, total = run_search(session, stmt.where(*where), params, order)
    return page(request, params, [slot_json(r, zone, systems(request)) for r in rows], total)


add_read(
    router,
    "Slot",
    models.Slot,
    lambda row, request: slot_json(row, request_tz(request), systems(request)),
)
