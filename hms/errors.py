"""The HMS error hierarchy and its rendering as FHIR ``OperationOutcome``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

FHIR_JSON = "application/fhir+json"


class HMSError(Exception):
    """Base of every error the API turns into an OperationOutcome."""

    status = 500
    code = "exception"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(HMSError):
    status, code = 400, "invalid"


class Unauthorized(HMSError):
    status, code = 401, "login"


class NotFound(HMSError):
    status, code = 404, "not-found"


class Conflict(HMSError):
    status, code = 409, "conflict"


class PreconditionFailed(HMSError):
    status, code = 412, "conflict"


class TooLarge(HMSError):
    status, code = 413, "too-costly"


class UnsupportedMediaType(HMSError):
    status, code = 415, "not-supported"


class Unprocessable(HMSError):
    status, code = 422, "processing"


def operation_outcome(message: str, code: str, severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message}],
    }


def outcome_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        operation_outcome(message, code),
        status_code=status,
        media_type=FHIR_JSON,
        headers=headers,
    )


_HTTP_CODES = {401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported"}


def install_handlers(app: FastAPI) -> None:
    """Render every failure (ours, Starlette's, validation, unexpected) as OperationOutcome."""

    @app.exception_handler(HMSError)
    async def _hms(_request: Request, exc: HMSError) -> JSONResponse:
        return outcome_response(exc.status, exc.message, exc.code, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "processing")
        return outcome_response(exc.status_code, str(exc.detail), code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return outcome_response(400, f"invalid request: {exc.errors()!s:.500}", "invalid")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return outcome_response(500, "internal error", "exception")
