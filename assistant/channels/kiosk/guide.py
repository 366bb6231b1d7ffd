"""``GET /kiosk/api/guide``: the signed-in role's tasks as tiles (``assistant.onboarding``).

The tiles come from the intent catalog and the role policy; each sends its request text
when tapped, like a spoken request.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from .api import COOKIE
from .service import KioskService

MAX_TILES = 6


def build_guide_router(service: KioskService, onboarding: Any, practice: Any = None) -> APIRouter:
    router = APIRouter(prefix="/kiosk")

    @router.get("/api/guide")
    async def guide(request: Request) -> Response:
        session_id = request.cookies.get(COOKIE)
        session = await service.sessions.get(session_id) if session_id else None
        if session is None:
            return JSONResponse(
                {"error": "no_session", "message": "Please sign in with your badge and PIN."},
                status_code=401,
            )
        if onboarding is None:
            return JSONResponse({"staff": session.staff, "capabilities": [], "tiles": []})
        found = await onboarding.guide(session.staff)
        body = found.to_json()
        # the big tiles: the role's everyday tasks (catalog quick actions) first
        body["tiles"] = [c for c in body["capabilities"] if c["common"]] + [
            c for c in body["capabilities"] if not c["common"]
        ]
        body["tiles"] = body["tiles"][:MAX_TILES]
        body["practice_available"] = bool(practice is not None and practice.available)
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return router
