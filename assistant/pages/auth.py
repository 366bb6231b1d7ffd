"""Signing staff in to the web pages with their staff token (a signed, revocable JWT).

``POST /staff/session`` with ``{"token": ...}`` checks the token (signature, expiry,
revocation, active staff member) and sets it as an HttpOnly, SameSite=Strict cookie for
its remaining life; API calls may also send ``Authorization: Bearer``. Each request is
checked again (a revoked token stops working at once), then the page's permission against
the staff member's HMS roles and the role policy. State-changing calls from a browser must
come from the gateway's own origin.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from assistant.identity.tokens import StaffLookupFailed, TokenError
from assistant.usage.roles import RoleLookup

COOKIE = "staff_session"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class SignedStaff:
    staff: str
    roles: frozenset[str]
    permissions: frozenset[str]


class TokenIn(BaseModel):
    token: str = Field(min_length=10, max_length=4096)


class PageAuth:
    def __init__(self, tokens: Any, roles: RoleLookup, policy: Any) -> None:
        self.tokens = tokens
        self.roles = roles
        self.policy = policy

    async def check(self, token: str) -> tuple[SignedStaff, int]:
        try:
            verified = await self.tokens.verify(token)
        except StaffLookupFailed as exc:
            raise HTTPException(503, detail="cannot check your account in the HMS now") from exc
        except TokenError as exc:
            raise HTTPException(401, detail=str(exc)) from exc
        roles = await self.roles.roles(verified.staff)
        granted = frozenset(self.policy.permissions_for(roles))
        return SignedStaff(verified.staff, roles, granted), int(verified.expires_at)

    @staticmethod
    def token_of(request: Request) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return request.cookies.get(COOKIE) or None

    def require(self, permission: str) -> Callable[[Request], Awaitable[SignedStaff]]:
        """A FastAPI dependency: the signed-in staff member holding ``permission``."""

        async def dependency(request: Request) -> SignedStaff:
            token = self.token_of(request)
            if token is None:
                raise HTTPException(401, detail="sign in with your staff token")
            if request.method not in ("GET", "HEAD") and not same_origin(request):
                raise HTTPException(403, detail="cross-site request refused")
            signed, _ = await self.check(token)
            if permission not in signed.permissions:
                roles = ", ".join(sorted(signed.roles)) or "no role"
                allowed = ", ".join(self.policy.roles_with(permission)) or "no role"
                raise HTTPException(
                    403,
                    detail=f"this page needs the {permission} permission ({allowed}); "
                    f"you are signed in as {roles}",
                )
            return signed

        return dependency


def same_origin(request: Request) -> bool:
    """No Origin header (non-browser clients) or the gateway's own origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.headers.get('host', '')}"


def session_router(auth: PageAuth, clock: Callable[[], float] = time.time) -> APIRouter:
    router = APIRouter(prefix="/staff", tags=["pages"])

    @router.post("/session")
    async def sign_in(body: TokenIn, request: Request) -> Response:
        if not same_origin(request):
            raise HTTPException(403, detail="cross-site request refused")
        signed, expires_at = await auth.check(body.token.strip())
        response = JSONResponse(
            {
                "staff": signed.staff,
                "roles": sorted(signed.roles),
                "permissions": sorted(signed.permissions),
            }
        )
        response.set_cookie(
            COOKIE,
            body.token.strip(),
            max_age=max(1, expires_at - int(clock())),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    @router.get("/session")
    async def whoami(request: Request) -> Response:
        token = auth.token_of(request)
        if token is None:
            raise HTTPException(401, detail="sign in with your staff token")
        signed, _ = await auth.check(token)
        return JSONResponse(
            {
                "staff": signed.staff,
                "roles": sorted(signed.roles),
                "permissions": sorted(signed.permissions),
            }
        )

    @router.delete("/session")
    async def sign_out() -> Response:
        response = JSONResponse({"signed_out": True})
        response.delete_cookie(COOKIE, path="/")
        return response

    return router
