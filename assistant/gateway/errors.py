"""Gateway-wide error answers that never echo the caller's input.

FastAPI's default ``RequestValidationError`` handler returns every error with its
``input``: message text could end up in responses (and logs of proxies), and inputs
JSON cannot encode (``1e999999`` -> inf, ``NaN``, a lone surrogate) turn the 422 into a 500.
``install_error_handlers`` replaces it with ``422 {"detail": "<field>: <message>; ..."}``.

An unhandled exception would otherwise be logged by the server with its traceback, whose
messages can hold whatever the failing code was handling (a ticket's text, a name, a date
of birth). ``QuietErrors`` answers ``500 {"detail": "internal error"}`` and logs the
error's class only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)

MAX_ERRORS = 3
MAX_DETAIL_CHARS = 300
_SOURCES = ("body", "query", "path", "header", "cookie")


def field_name(loc: Sequence[Any]) -> str:
    """``("body", "text")`` -> ``text``; ``("body",)`` -> ``body``; ``("query", "n")`` -> ``n``."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(parts) or "request"


def validation_detail(errors: Sequence[Any]) -> str:
    """``"<field>: <message>"`` for the first few errors; inputs are never included."""
    items = [
        f"{field_name(err.get('loc', ()))}: {err.get('msg', 'invalid value')}"
        for err in errors[:MAX_ERRORS]
        if isinstance(err, dict)
    ]
    if len(errors) > MAX_ERRORS:
        items.append(f"and {len(errors) - MAX_ERRORS} more")
    detail = "; ".join(items) or "invalid request"
    return detail[:MAX_DETAIL_CHARS]


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse({"detail": validation_detail(errors)}, status_code=422)


class QuietErrors:
    """ASGI middleware: an unhandled exception becomes a bare 500; only its class is logged."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("unhandled %s answering %s", type(exc).__name__, scope.get("method", "?"))
            if started:
                return
            body = json.dumps({"detail": "internal error"}).encode()
            headers = [(b"content-type", b"application/json"),
                       (b"content-length", str(len(body)).encode())]  # fmt: skip
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(QuietErrors)
