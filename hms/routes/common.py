"""Helpers shared by the routers: sessions, bodies, validation, search execution."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from dbkit import rowcount
from hms.config import HmsOptions, Systems
from hms.errors import (
    FHIR_JSON,
    BadRequest,
    NotFound,
    PreconditionFailed,
    TooLarge,
    Unprocessable,
    UnsupportedMediaType,
)
from hms.fhir.common import bundle, etag
from hms.search import SearchParams

MAX_BODY = 1024 * 1024
_ETAG_RE = re.compile(r'^(?:W/)?"(\d+)"$')
M = TypeVar("M", bound=BaseModel)
JSON_MEDIA_TYPES = frozenset({FHIR_JSON, "application/json"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Dependency: one session per request, committed by the handler that writes.

    Made on the event loop: a new session touches no database (it connects on first use,
    in the handler's worker thread), and a sync dependency cost two more hops to a worker
    thread and back per request (a quarter of the HMS's CPU under load). Closing hands its
    connection back to the pool: on the loop for SQLite, where that is a local call; in a
    worker thread for a database across the network (the pool's rollback is a round trip).
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        bind = session.bind
        if bind is not None and bind.dialect.name == "sqlite":
            session.close()
        else:
            await run_in_threadpool(session.close)


def tz(request: Request) -> ZoneInfo:
    zone: ZoneInfo = request.app.state.tz
    return zone


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir/R4"


def options(request: Request) -> HmsOptions:
    found: HmsOptions = request.app.state.options
    return found


def systems(request: Request) -> Systems:
    return options(request).systems


def search_params(
    request: Request, allowed: set[str], custom: frozenset[str] = frozenset()
) -> SearchParams:
    """The search's parameters; ``custom`` ones (reference-HMS extensions, not R4 search
    parameters) are unknown, hence ignored, when ``HMS_EXTENSIONS=off``."""
    prefer = request.headers.get("prefer", "").replace(" ", "").lower()
    if not options(request).extensions:
        allowed = allowed - custom
    return SearchParams(request.query_params, allowed, strict="handling=strict" in prefer)


def fhir(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def check_content_type(request: Request) -> None:
    """415 unless the body is declared ``application/fhir+json`` or ``application/json``.

    A ``charset`` parameter is allowed but must be UTF-8 (the only encoding read).
    """
    media, _, params = request.headers.get("content-type", "").partition(";")
    if media.strip().lower() not in JSON_MEDIA_TYPES:
        raise UnsupportedMediaType("Content-Type must be application/fhir+json or application/json")
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise UnsupportedMediaType("the only supported charset is utf-8")


async def read_resource(request: Request, resource_type: str) -> dict[str, Any]:
    """Read a JSON body (at most 1 MB), check it is an object of ``resource_type``."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge(f"request body larger than {MAX_BODY} bytes")
    check_content_type(request)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge(f"request body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks) or b"null")
    except RecursionError as exc:
        raise BadRequest("malformed JSON body: nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"malformed JSON body: {exc}") from exc
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    if body.get("resourceType") != resource_type:
        raise Unprocessable(f"resourceType must be {resource_type!r}")
    return body


def validate(model: type[M], body: dict[str, Any]) -> M:
    """Validate with a ``fhir.resources.R4B`` model; 422 with the first messages on failure."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        messages = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise Unprocessable(f"invalid {model.__name__}: {messages}") from exc
    except (ValueError, TypeError) as exc:
        raise Unprocessable(f"invalid {model.__name__}: {exc}") from exc


def if_match(request: Request) -> int | None:
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    match = _ETAG_RE.match(raw.strip())
    if not match:
        raise BadRequest('If-Match must look like W/"<version>"')
    return int(match.group(1))


def check_version(expected: int | None, actual: int) -> None:
    if expected is not None and expected != actual:
        raise PreconditionFailed(
            f"version mismatch: If-Match {expected}, current {actual}",
            {"ETag": f'W/"{actual}"'},
        )


def run_search(
    session: Session, stmt: Select[Any], params: SearchParams, order: list[Any]
) -> tuple[list[Any], int]:
    """Execute a filtered select: the page of rows (``_count``/``_offset``) and the total."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    count = params.count()
    rows = []
    if count:
        rows = list(session.scalars(stmt.order_by(*order).limit(count).offset(params.offset())))
    return rows, int(total or 0)


def next_link(request: Request, params: SearchParams, total: int) -> str | None:
    offset, count = params.offset(), params.count()
    if not count or offset + count >= total:
        return None
    query = [
        (k, v) for k, v in request.query_params.multi_items() if k not in ("_offset", "_count")
    ]
    query += [("_count", str(count)), ("_offset", str(offset + count))]
    path = request.url.path.split("/fhir/R4", 1)[-1]
    return f"{base_url(request)}{path}?{urlencode(query)}"


def page(
    request: Request,
    params: SearchParams,
    resources: list[dict[str, Any]],
    total: int,
    includes: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    """A search answer: a ``searchset`` Bundle with its ``next`` link."""
    return fhir(
        bundle(base_url(request), resources, total, includes, next_link(request, params, total))
    )


async def read_update(
    request: Request,
    ident: str,
    resource_type: str,
    model: type[BaseModel],
    defaults: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The body of ``PUT /<resource>/{ident}``: a valid resource of that type, for that id
    (``defaults`` fill elements the client may leave out)."""
    body = await read_resource(request, resource_type)
    for name, value in (defaults or {}).items():
        body.setdefault(name, value)
    validate(model, body)
    if body.get("id") not in (None, ident):
        raise BadRequest("resource id does not match the URL")
    return body


def bump_version(
    session: Session, model: Any, key: Any, row: Any, values: dict[str, Any], what: str
) -> None:
    """Write ``values`` to ``row`` only if nobody changed it since it was read (optimistic
    concurrency on ``version``), and count one version up; else 412 naming ``what``."""
    done = session.execute(
        update(model)
        .where(key, model.version == row.version)
        .values(**values, version=row.version + 1)
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:
        raise PreconditionFailed(f"{what} changed concurrently; read it again")


def read_row(session: Session, model: Any, key: Any, ref: str) -> Any:
    """The row of a read (``ref`` names it in the 404, e.g. ``Patient/pat-1``)."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"{ref} not found")
    return row


def versioned(resource: dict[str, Any], version: int | None = None) -> JSONResponse:
    """A read or update answer: the resource with its ``ETag`` (its own version by default)."""
    if version is None:
        version = int(resource["meta"]["versionId"])
    return fhir(resource, headers={"ETag": etag(version)})


def add_read(
    router: APIRouter,
    resource: str,
    model: Any,
    render: Callable[[Any, Request], dict[str, Any]],
    key: Callable[[str], Any] = str,
) -> None:
    """``GET /<resource>/{ident}``: the row (by ``key(ident)``) rendered, with its ``ETag``."""

    def read(ident: str, request: Request, session: Session = Depends(get_session)) -> JSONResponse:
        row = read_row(session, model, key(ident), f"{resource}/{ident}")
        return versioned(render(row, request), row.version)

    read.__name__ = f"read_{resource.lower()}"
    router.add_api_route(f"/{resource}/{{ident}}", read, methods=["GET"])
