"""``Location`` read, search and bed-status update."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fhir.resources.R4B.location import Location as LocationModel
from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from hms import models
from hms.auth import acting_staff
from hms.errors import NotFound, Unprocessable
from hms.fhir import BED_STATUS, SYS_BED_STATUS, SYS_PHYSICAL
from hms.fhir.location import location_json
from hms.routes.common import (
    add_read,
    bump_version,
    check_version,
    get_session,
    if_match,
    options,
    page,
    read_update,
    run_search,
    search_params,
    versioned,
)
from hms.search import any_of, like_contains, reference_filter, string_filter, token_filter
from hms.timeutil import utcnow

router = APIRouter()
PARAMS = {"partof", "operational-status", "name", "identifier", "physical-type", "type"}
CUSTOM = frozenset({"physical-type"})  # not an R4 Location search parameter


@router.get("/Location")
def search_locations(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, PARAMS, CUSTOM)
    opts = options(request)
    sy = opts.systems
    loc = models.Location
    where = reference_filter(params, "_id", loc.id, "Location")
    where += reference_filter(params, "partof", loc.part_of_id, "Location")
    where += token_filter(params, "operational-status", loc.operational_status, SYS_BED_STATUS)
    where += token_filter(params, "physical-type", loc.physical_type, SYS_PHYSICAL)
    where += string_filter(params, "name", loc.search_text)
    for group in params.tokens("identifier"):
        ors: list[ColumnElement[bool]] = []
        for tok in group:
            kinds = {None: ("wa", "bd"), sy.ward: ("wa",), sy.bed: ("bd",)}.get(tok.system)
            ors.append((loc.code == tok.code) & loc.physical_type.in_(kinds) if kinds else false())
        where.append(any_of(ors))
    for group in params.tokens("type"):
        ors2: list[ColumnElement[bool]] = [  # features are stored as "|code|code|"
            like_contains(loc.features, tok.code, prefix="%|", suffix="|%")
            if tok.system in (None, sy.bed_feature) and "|" not in tok.code
            else false()
            for tok in group
        ]
        where.append(any_of(ors2))
    rows, total = run_search(session, select(loc).where(*where), params, [loc.id])
    return page(request, params, [location_json(r, sy, opts.extensions) for r in rows], total)


def _location(row: models.Location, request: Request) -> dict[str, Any]:
    opts = options(request)
    return location_json(row, opts.systems, opts.extensions)


add_read(router, "Location", models.Location, _location)


@router.put("/Location/{ident}")
async def update_location(ident: str, request: Request) -> JSONResponse:
    """Only a bed's ``operationalStatus`` is writable (v2-0116 U/O/H/C/K/I)."""
    body = await read_update(request, ident, "Location", LocationModel)
    status = body.get("operationalStatus")
    if not isinstance(status, dict) or status.get("code") not in BED_STATUS:
        raise Unprocessable(f"operationalStatus.code must be one of {', '.join(BED_STATUS)}")
    if status.get("system") not in (None, SYS_BED_STATUS):
        raise Unprocessable(f"operationalStatus.system must be {SYS_BED_STATUS}")
    expected = if_match(request)
    staff = acting_staff(request)

    def apply() -> dict[str, Any]:
        with request.app.state.session_factory.begin() as session:
            row = session.get(models.Location, ident)
            if row is None:
                raise NotFound(f"Location/{ident} not found")
            if row.physical_type != "bd":
                raise Unprocessable("only a bed's operationalStatus can be changed")
            check_version(expected, row.version)
            before = row.operational_status
            values = {"operational_status": status["code"], "updated_by": staff}
            values["updated_at"] = utcnow()
            bump_version(session, models.Location, models.Location.id == ident, row, values, "bed")
            if before != status["code"]:
                session.add(
                    models.BedEvent(
                        at=utcnow(),
                        bed_id=ident,
                        from_status=before,
                        to_status=status["code"],
                        source="api",
                        actor=staff,
                    )
                )
            session.refresh(row)
            opts = options(request)
            return location_json(row, opts.systems, opts.extensions)

    out = await run_in_threadpool(apply)
    return versioned(out)
