"""``Task`` (help requests): create with an ``HR-000001`` ticket id, read, search, update."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fhir.resources.R4B.task import Task as TaskModel
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hms import models
from hms.auth import acting_staff
from hms.errors import BadRequest, NotFound, Unprocessable
from hms.fhir import HELP_TYPES, TASK_PRIORITIES, TASK_STATUSES
from hms.fhir.common import etag
from hms.fhir.task import task_json, ticket_identifier
from hms.routes.common import (
    add_read,
    base_url,
    bump_version,
    check_version,
    fhir,
    get_session,
    if_match,
    page,
    read_resource,
    read_update,
    run_search,
    search_params,
    systems,
    validate,
    versioned,
)
from hms.routes.common import tz as request_tz
from hms.search import (
    ID_PATTERN,
    SearchParams,
    any_of,
    like_contains,
    parse_pk,
    reference_filter,
    sort_keys,
    token_filter,
)
from hms.timeutil import utcnow

router = APIRouter()
PARAMS = {
    "code",
    "location",
    "priority",
    "status",
    "owner",
    "requester",
    "identifier",
    "business-status",
}


def _pk(ident: str) -> int:
    pk = parse_pk(ident, "task-")
    if pk is None:
        raise NotFound(f"Task/{ident[:100]} not found")
    return pk


def _fields(body: dict[str, Any], help_system: str) -> dict[str, Any]:
    """The stored columns from a validated Task body; 422 for codes outside our value sets."""
    codings = (body.get("code") or {}).get("coding") or []
    code = next((c.get("code") for c in codings if c.get("system") in (None, help_system)), None)
    if code not in HELP_TYPES:
        raise Unprocessable(f"Task.code must be one of {', '.join(HELP_TYPES)} ({help_system})")
    priority = body.get("priority", "routine")
    if priority not in TASK_PRIORITIES:
        raise Unprocessable(f"Task.priority must be one of {', '.join(TASK_PRIORITIES)}")
    if body.get("status") not in TASK_STATUSES:
        raise Unprocessable("Task.status is not a FHIR task status")
    location = (body.get("location") or {}).get("reference")
    if location is not None and not str(location).startswith("Location/"):
        raise Unprocessable("Task.location must reference a Location")
    return {
        "status": body["status"],
        "intent": body.get("intent", "order"),
        "priority": priority,
        "code": code,
        "description": body.get("description"),
        "business_status": (body.get("businessStatus") or {}).get("text"),
        "location_id": location.split("/", 1)[1] if location else None,
        "requester": (body.get("requester") or {}).get("reference"),
        "owner": (body.get("owner") or {}).get("reference"),
        "for_ref": (body.get("for") or {}).get("reference"),
        "notes": [n["text"] for n in body.get("note") or [] if n.get("text")],
    }


@router.post("/Task")
async def create_task(request: Request) -> JSONResponse:
    body = await read_resource(request, "Task")
    body.setdefault("intent", "order")
    body.setdefault("status", "requested")
    validate(TaskModel, body)
    fields, staff = _fields(body, systems(request).help_type), acting_staff(request)
    factory, zone = request.app.state.session_factory, request_tz(request)

    def transaction() -> dict[str, Any]:
        with factory.begin() as session:
            now = utcnow()
            row = models.Task(
                **fields, authored_on=now, updated_at=now, updated_by=staff, version=1
            )
            session.add(row)
            session.flush()
            row.identifier = ticket_identifier(row.pk)
            session.flush()
            return task_json(row, zone, systems(request))

    out = await run_in_threadpool(transaction)
    location = f"{base_url(request)}/Task/{out['id']}/_history/1"
    return fhir(out, 201, {"Location": location, "ETag": etag(1)})


def _ref_filter(params: SearchParams, name: str, column: Any) -> list[ColumnElement[bool]]:
    """Match stored ``Type/id`` references exactly by ``Type/id``, or by a bare id (any type)."""
    clauses = []
    for raw in params.values(name):
        ors = []
        for part in raw.split(","):
            value = part.strip()
            if "/" in value:
                ors.append(column == value)
            elif ID_PATTERN.fullmatch(value):
                ors.append(like_contains(column, value, prefix="%/", suffix=""))
            else:
                raise BadRequest(f"malformed reference in {name}: {value[:100]!r}")
        clauses.append(any_of(ors))
    return clauses


@router.get("/Task")
def search_tasks(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, PARAMS, frozenset({"location"}))
    task, zone = models.Task, request_tz(request)
    sy = systems(request)
    where = token_filter(params, "code", task.code, sy.help_type)
    where += token_filter(params, "identifier", task.identifier, sy.ticket)
    where += token_filter(params, "priority", task.priority, None)
    where += token_filter(params, "status", task.status, None)
    where += reference_filter(params, "location", task.location_id, "Location")
    where += _ref_filter(params, "owner", task.owner)
    where += _ref_filter(params, "requester", task.requester)
    for ids in params.references("_id", "Task"):
        where.append(task.pk.in_([pk for i in ids if (pk := parse_pk(i, "task-")) is not None]))
    order = sort_keys(params, {"authored-on": task.authored_on, "_lastUpdated": task.updated_at})
    rows, total = run_search(session, select(task).where(*where), params, order + [task.pk])
    return page(request, params, [task_json(r, zone, systems(request)) for r in rows], total)


add_read(
    router,
    "Task",
    models.Task,
    lambda row, request: task_json(row, request_tz(request), systems(request)),
    key=_pk,
)


@router.put("/Task/{ident}")
async def update_task(ident: str, request: Request) -> JSONResponse:
    """Replace the mutable fields (status, owner, priority, businessStatus, notes, ...)."""
    pk = _pk(ident)
    body = await read_update(request, ident, "Task", TaskModel, defaults={"intent": "order"})
    fields, expected, staff = (
        _fields(body, systems(request).help_type),
        if_match(request),
        acting_staff(request),
    )
    factory, zone = request.app.state.session_factory, request_tz(request)

    def transaction() -> dict[str, Any]:
        with factory.begin() as session:
            row = session.get(models.Task, pk)
            if row is None:
                raise NotFound(f"Task/{ident} not found")
            check_version(expected, row.version)
            values = {**fields, "updated_by": staff, "updated_at": utcnow()}
            bump_version(session, models.Task, models.Task.pk == pk, row, values, "task")
            session.refresh(row)
            return task_json(row, zone, systems(request))

    out = await run_in_threadpool(transaction)
    return versioned(out)
