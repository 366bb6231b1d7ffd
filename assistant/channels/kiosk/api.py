"""HTTP routes of the kiosk under ``/kiosk/``: page, sign-in, speech and text turns, audio."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from assistant.channels.kiosk.badges import BadCredentials, LockedOut
from assistant.channels.kiosk.service import NOT_CAUGHT, KioskService, TurnResult
from assistant.channels.kiosk.sessions import KioskSession
from assistant.channels.kiosk.speech.base import AudioRejected

COOKIE = "kiosk_session"
STATIC = Path(str(files("assistant.channels.kiosk").joinpath("static")))
_STATUS = {"too_long": 413, "malformed": 400, "silent": 422, "not_understood": 422}
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; media-src 'self' blob:; "
    "img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class SignIn(BaseModel):
    badge: str = Field(min_length=1, max_length=32)
    pin: str = Field(min_length=4, max_length=12, pattern=r"^\d+$")


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


def _error(status: int, reason: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": reason, "message": message, **extra}, status_code=status)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def build_router(service: KioskService, on_request: Any = None, notices: Any = None) -> APIRouter:
    """``notices(staff)`` returns (and marks delivered) notices waiting for the staff
    member, e.g. "bed freed" (assistant/watches); they come back with the sign-in."""
    router = APIRouter(prefix="/kiosk")

    async def current(request: Request) -> KioskSession | None:
        if on_request is not None:
            on_request()
        session_id = request.cookies.get(COOKIE)
        return await service.sessions.get(session_id) if session_id else None

    def turn_json(result: TurnResult) -> JSONResponse:
        body: dict[str, Any] = {
            "transcript": result.transcript,
            "replies": [r.to_json() for r in result.replies],
            "audio_url": f"/kiosk/api/audio/{result.audio_id}" if result.audio_id else None,
            "signed_out": result.signed_out,
        }
        if result.board is not None:
            body["board"] = result.board
        response = JSONResponse(body)
        if result.signed_out:
            response.delete_cookie(COOKIE, path="/kiosk")
        return response

    @router.get("/", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)

    @router.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        path = STATIC / name
        try:  # an over-long name makes the OS refuse the lookup: that is "not found" too
            exists = "/" not in name and not name.startswith(".") and path.is_file()
        except OSError:
            exists = False
        if not exists:
            return _error(404, "not_found", "no such file")
        return FileResponse(
            path, media_type=_STATIC_TYPES.get(path.suffix), headers=SECURITY_HEADERS
        )

    @router.post("/api/session")
    async def sign_in(body: SignIn, request: Request) -> Response:
        if on_request is not None:
            on_request()
        try:
            session = await service.sign_in(body.badge, body.pin)
        except LockedOut as exc:
            return _error(429, "locked", str(exc), retry_after=int(exc.retry_after) + 1)
        except BadCredentials:
            return _error(401, "bad_credentials", "Badge or PIN not recognised.")
        asyncio.get_running_loop().run_in_executor(None, service.warm)
        waiting = []
        if notices is not None:
            try:
                waiting = await asyncio.to_thread(notices, session.staff)
            except Exception:  # the sign-in works without them; they stay queued
                waiting = []
        shown = [
            {"text": n["text"], "custom": {"phi": False, "kind": n["kind"], "data": n["data"]}}
            for n in waiting
        ]
        response = JSONResponse(
            {"staff": session.staff, "idle_seconds": service.idle_seconds, "notices": shown}
        )
        response.set_cookie(
            COOKIE,
            session.id,
            httponly=True,
            samesite="strict",
            path="/kiosk",
            secure=request.url.scheme == "https",
        )
        return response

    @router.delete("/api/session")
    async def sign_out(request: Request) -> Response:
        session = await current(request)
        if session is not None:
            await service.sign_out(session)
        response = JSONResponse({"signed_out": True})
        response.delete_cookie(COOKIE, path="/kiosk")
        return response

    @router.get("/api/session")
    async def whoami(request: Request) -> Response:
        session = await current(request)
        if session is None:
            return _error(401, "no_session", "Please sign in with your badge and PIN.")
        return JSONResponse({"staff": session.staff, "idle_seconds": service.idle_seconds})

    @router.post("/api/utterance")
    async def utterance(request: Request) -> Response:
        session = await current(request)
        if session is None:
            return _error(401, "no_session", "Please sign in with your badge and PIN.")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in {"audio/wav", "audio/x-wav", "audio/wave"}:
            return _error(415, "malformed", "Send the recording as audio/wav.")
        limit = int(service.max_seconds * 16000 * 2) + 4096
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _error(413, "too_long", f"Recordings are limited to {service.max_seconds:g} s.")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return _error(
                    413, "too_long", f"Recordings are limited to {service.max_seconds:g} s."
                )
        try:
            heard = await service.hear(body)
        except AudioRejected as exc:
            message = str(exc) if exc.reason in {"too_long", "malformed"} else NOT_CAUGHT
            return _error(_STATUS.get(exc.reason, 400), exc.reason, message)
        return turn_json(await service.turn(session, heard.text))

    @router.post("/api/text")
    async def text(body: TextIn, request: Request) -> Response:
        session = await current(request)
        if session is None:
            return _error(401, "no_session", "Please sign in with your badge and PIN.")
        return turn_json(await service.turn(session, body.text.strip()))

    @router.get("/api/audio/{audio_id}")
    async def audio(audio_id: str, request: Request) -> Response:
        session = await current(request)
        if session is None:
            return _error(401, "no_session", "Please sign in with your badge and PIN.")
        chunks = await service.speech_stream(session, audio_id)
        if chunks is None:
            return _error(404, "not_found", "That audio has expired.")
        try:
            first = await asyncio.to_thread(next, chunks, b"")  # header + first sentence
            first += await asyncio.to_thread(next, chunks, b"")
        except Exception:
            return _error(503, "no_speech", "Speech output is not available.")
        return StreamingResponse(
            _prepend(first, chunks), media_type="audio/wav", headers={"Cache-Control": "no-store"}
        )

    @router.get("/api/board")
    async def board(request: Request) -> Response:
        session = await current(request)
        if session is None:
            return _error(401, "no_session", "Please sign in with your badge and PIN.")
        decision = await service.guard.check(session.staff, hms_up=service.board.hms_up)
        if not decision.allowed:
            return _error(403, "forbidden", decision.message)
        return JSONResponse(service.board_json())

    return router
