"""Bearer-token check for every ``/fhir/R4`` request, and the acting staff member."""

from __future__ import annotations

import hmac

from fastapi import Request

from hms.errors import Unauthorized

ACTING_STAFF_HEADER = "X-Acting-Staff"


def check_bearer(request: Request) -> None:
    """FastAPI dependency: the request must carry ``Authorization: Bearer <token>``."""
    expected: str = request.app.state.settings.hms_api_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not expected or scheme.lower() != "bearer" or not token:
        raise Unauthorized("missing or invalid bearer token", {"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("missing or invalid bearer token", {"WWW-Authenticate": "Bearer"})


def acting_staff(request: Request) -> str | None:
    """The staff username the caller acts for (recorded on writes), trimmed to 64 chars."""
    value = request.headers.get(ACTING_STAFF_HEADER, "").strip()
    return value[:64] or None
