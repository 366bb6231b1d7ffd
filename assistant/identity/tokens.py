"""Short-lived, revocable staff tokens for the REST channel and the terminal chat.

A token is a JWT (HS256, ``ASSISTANT_SIGNING_KEY``) with ``sub`` = HMS staff username,
``jti``, ``iat``, ``exp`` (default 8 h, ``STAFF_TOKEN_TTL``) and ``aud`` = ``hms-assistant``.
Verifying checks the signature, audience and expiry (against the injected clock), the
revocation list, and that the staff member exists and is active in the HMS (looked up
through a ``StaffDirectory`` and cached briefly).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import jwt
import sqlalchemy as sa

AUDIENCE = "hms-assistant"
ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 8 * 3600
STAFF_CACHE_SECONDS = 60.0
LEEWAY_SECONDS = 30

Clock = Callable[[], float]


class TokenError(Exception):
    """Base class: the token cannot be used. The message is safe to show the caller."""


class InvalidToken(TokenError):
    """Malformed, wrongly signed, or for another audience."""


class ExpiredToken(TokenError):
    """Past its ``exp``."""


class RevokedToken(TokenError):
    """Its ``jti`` is on the revocation list."""


class UnknownStaff(TokenError):
    """The staff member does not exist or is not active in the HMS."""


class StaffLookupFailed(TokenError):
    """The HMS could not be asked (down, timeout): not the caller's fault; retry later."""


@dataclass(frozen=True)
class StaffToken:
    staff: str
    jti: str
    issued_at: int
    expires_at: int


class RevocationList(Protocol):
    """Where revoked token ids live (the assistant store's ``revoked_token`` table)."""

    async def revoke(self, jti: str, expires_at: int) -> None: ...

    async def is_revoked(self, jti: str) -> bool: ...


class StaffDirectory(Protocol):
    """Answers whether a username is an active staff member (the HMS)."""

    async def is_active_staff(self, username: str) -> bool: ...


class InMemoryRevocationList:
    """Revocations held in this process only (tests, single-process use)."""

    def __init__(self) -> None:
        self._revoked: dict[str, int] = {}

    async def revoke(self, jti: str, expires_at: int) -> None:
        self._revoked[jti] = expires_at

    async def is_revoked(self, jti: str) -> bool:
        return jti in self._revoked


class CachedStaffDirectory:
    """Caches answers of another directory for ``ttl`` seconds (positive and negative)."""

    def __init__(
        self, inner: StaffDirectory, *, ttl: float = STAFF_CACHE_SECONDS, clock: Clock = time.time
    ) -> None:
        self._inner = inner
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, bool]] = {}

    async def is_active_staff(self, username: str) -> bool:
        now = self._clock()
        hit = self._cache.get(username)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        active = await self._inner.is_active_staff(username)
        self._cache[username] = (now, active)
        return active


def issue_token(
    key: str, staff: str, *, ttl: int = DEFAULT_TTL_SECONDS, now: float | None = None
) -> str:
    """Sign a new token for ``staff`` valid for ``ttl`` seconds."""
    if not key:
        raise TokenError("no signing key configured (ASSISTANT_SIGNING_KEY)")
    if not staff:
        raise TokenError("a token needs a staff username")
    if ttl <= 0:
        raise TokenError("token lifetime must be positive")
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": staff,
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": issued + ttl,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def decode_token(key: str, token: str, *, now: float | None = None) -> StaffToken:
    """Check signature, audience and expiry; no revocation or HMS check."""
    if not key:
        raise TokenError("no signing key configured (ASSISTANT_SIGNING_KEY)")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={
                "require": ["sub", "jti", "iat", "exp", "aud"],
                "verify_exp": False,  # checked below against the injected clock
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken("the token is not valid") from exc
    try:
        parsed = StaffToken(
            staff=str(claims["sub"]),
            jti=str(claims["jti"]),
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
        )
    except (TypeError, ValueError) as exc:
        raise InvalidToken("the token is malformed") from exc
    current = time.time() if now is None else now
    if current >= parsed.expires_at:
        raise ExpiredToken("the token has expired")
    if parsed.issued_at > current + LEEWAY_SECONDS:
        raise InvalidToken("the token was issued in the future")
    return parsed


def jti_of(token_or_jti: str, key: str) -> tuple[str, int]:
    """The ``(jti, exp)`` to revoke, given a token (even an expired one) or a bare jti."""
    if token_or_jti.count(".") == 2:
        try:
            claims = jwt.decode(
                token_or_jti,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={"verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is not valid") from exc
        return str(claims["jti"]), int(claims.get("exp", 0))
    if not token_or_jti.isalnum():
        raise InvalidToken("not a token or a token id")
    return token_or_jti, int(time.time()) + DEFAULT_TTL_SECONDS


class StaffTokens:
    """Issues and verifies staff tokens against a revocation list and the staff directory."""

    def __init__(
        self,
        key: str,
        *,
        revocations: RevocationList,
        directory: StaffDirectory | None = None,
        ttl: int = DEFAULT_TTL_SECONDS,
        clock: Clock = time.time,
    ) -> None:
        self._key = key
        self._revocations = revocations
        self._directory = directory
        self._ttl = ttl
        self._clock = clock

    def issue(self, staff: str, *, ttl: int | None = None) -> str:
        return issue_token(self._key, staff, ttl=ttl or self._ttl, now=self._clock())

    async def verify(self, token: str) -> StaffToken:
        parsed = decode_token(self._key, token, now=self._clock())
        if await self._revocations.is_revoked(parsed.jti):
            raise RevokedToken("the token has been revoked")
        if self._directory is not None and not await self._directory.is_active_staff(parsed.staff):
            raise UnknownStaff("the token's staff member is not active in the HMS")
        return parsed

    async def revoke(self, token_or_jti: str) -> str:
        jti, expires_at = jti_of(token_or_jti, self._key)
        await self._revocations.revoke(jti, expires_at)
        return jti


class HmsStaffDirectory:
    """Looks staff up in the HMS (``HmsClient.find_staff``); any object with that method."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def is_active_staff(self, username: str) -> bool:
        from assistant.hms.errors import HmsError

        try:
            found = await self._client.find_staff(username=username)
        except HmsError as exc:
            raise StaffLookupFailed("cannot check the staff member in the HMS now") from exc
        return any(s.username == username and s.active for s in found)


def _revoked_query() -> Any:
    from assistant.store.models import RevokedToken

    return sa.select(RevokedToken.jti).where(RevokedToken.jti == sa.bindparam("jti"))


class StoreRevocationList:
    """Revocations in the assistant store's ``revoked_token`` table, shared by processes.

    ``open_store`` returns an ``assistant.store.Store`` (opened on first use). Entries past
    their token's expiry are pruned on each revoke.
    """

    def __init__(self, open_store: Callable[[], Any]) -> None:
        self._open_store = open_store
        self._query = _revoked_query()

    def _revoke(self, jti: str, expires_at: int) -> None:
        from assistant.store.models import RevokedToken

        now = datetime.fromtimestamp(time.time(), UTC)
        with self._open_store().write() as session:
            session.execute(sa.delete(RevokedToken).where(RevokedToken.expires_at < now))
            if session.get(RevokedToken, jti) is None:
                expires = datetime.fromtimestamp(expires_at, UTC)
                session.add(RevokedToken(jti=jti, expires_at=expires))

    def _is_revoked(self, jti: str) -> bool:
        # a Core query on a plain connection: a quarter of an ORM session's CPU (every request)
        with self._open_store().engine.connect() as conn:
            return conn.execute(self._query, {"jti": jti}).first() is not None

    async def revoke(self, jti: str, expires_at: int) -> None:
        await asyncio.to_thread(self._revoke, jti, expires_at)

    async def is_revoked(self, jti: str) -> bool:
        from assistant.store import short_read

        return await short_read(self._open_store(), self._is_revoked, jti)
