"""Per-IP and per-user rate limits for the gateway (in-process, or Redis when ``REDIS_URL``).

A limit is a fixed window that opens at a key's first hit: ``Rate(30, 60)`` lets a key make
30 requests, then answers "not allowed" with the seconds until the window closes.
``InMemoryRateLimiter`` keeps the windows in this process (the embedded single-process
gateway); ``RedisRateLimiter`` keeps them in Redis (one atomic Lua ``INCR`` + ``PEXPIRE``
per hit, so several gateway workers share one budget and Redis' clock decides).

``install_rate_limits(app, limiter_factory(settings), per_ip=..., per_user=...)`` adds an
ASGI middleware: every request except the exempt paths (``/healthz``) costs one hit of its
client address, and - when the request names a staff member (``identify``) - one of that
staff member. Over the limit the answer is ``429`` with ``Retry-After`` and a JSON
``detail``; nothing reaches the channel. Channels that learn the staff member only after
reading the body (Slack, kiosk) call ``app.state.rate_limits.check_user(staff)``.
Keys are hashed before storage: no username or address is kept in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

VERIFIED_BEARER = "verified_bearer"  # scope["state"] key: (token, verify's result)

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Identify = Callable[[Scope], Awaitable[str | None]]


class RateLimitError(Exception):
    """Base of this module's errors."""


class RateLimited(RateLimitError):
    """Raised by ``RateLimits.check_user``; the middleware turns it into a 429."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``window_seconds``."""

    limit: int
    window_seconds: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_seconds <= 0:
            raise ValueError("a rate needs limit >= 1 and a positive window")

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"30/minute"``, ``"5/second"``, ``"1000/hour"`` or ``"30/60"`` (seconds)."""
        count, _, per = text.strip().partition("/")
        units = {
            "second": 1.0,
            "s": 1.0,
            "minute": 60.0,
            "min": 60.0,
            "m": 60.0,
            "hour": 3600.0,
            "h": 3600.0,
            "day": 86400.0,
            "d": 86400.0,
        }
        per = per.strip().lower()
        try:
            window = units[per] if per in units else float(per)
            return cls(int(count), window)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"not a rate: {text!r} (use e.g. '30/minute')") from exc


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0
    remaining: int = 0


class RateLimiter(Protocol):
    """Counts one hit of ``key`` and says whether it is within the limit."""

    async def hit(self, key: str) -> Decision: ...


LimiterFactory = Callable[[Rate, str], RateLimiter]


def hashed(namespace: str, key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"ratelimit:{namespace}:{digest}"


class InMemoryRateLimiter:
    """Fixed windows in this process; expired windows are swept when the table grows."""

    def __init__(
        self,
        rate: Rate,
        namespace: str = "default",
        *,
        clock: Clock = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.rate = rate
        self.namespace = namespace
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str) -> Decision:
        now = self._clock()
        slot = hashed(self.namespace, key)
        opened, count = self._windows.get(slot, (now, 0))
        if now - opened >= self.rate.window_seconds:
            opened, count = now, 0
        count += 1
        if slot not in self._windows and len(self._windows) >= self._max_keys:
            self._sweep(now)
        self._windows[slot] = (opened, count)
        return _decide(self.rate, count, opened + self.rate.window_seconds - now)

    def _sweep(self, now: float) -> None:
        window = self.rate.window_seconds
        for slot in [s for s, (opened, _) in self._windows.items() if now - opened >= window]:
            del self._windows[slot]
        while len(self._windows) >= self._max_keys:  # still full: drop the oldest windows
            del self._windows[next(iter(self._windows))]


# INCR the window's counter; the first hit opens the window (PEXPIRE). Returns the count and
# the milliseconds left. Atomic in Redis, so concurrent workers never lose a hit or leave a
# counter without expiry.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


class RedisRateLimiter:
    """Fixed windows in Redis (``redis.asyncio``), shared by every gateway worker.

    If Redis cannot be reached the request is let through (``fail_open``, the default: a
    rate limit must not take the gateway down with Redis) and a warning is logged.
    """

    def __init__(
        self, redis: Any, rate: Rate, namespace: str = "default", *, fail_open: bool = True
    ) -> None:
        self.rate = rate
        self.namespace = namespace
        self._redis = redis
        self._script = redis.register_script(_HIT_SCRIPT)
        self._fail_open = fail_open

    async def hit(self, key: str) -> Decision:
        window_ms = max(1, int(self.rate.window_seconds * 1000))
        try:
            count, ttl_ms = await self._script(keys=[hashed(self.namespace, key)], args=[window_ms])
        except (RedisError, OSError) as exc:
            return self._unavailable(exc)
        return _decide(self.rate, int(count), int(ttl_ms) / 1000)

    def _unavailable(self, exc: BaseException) -> Decision:
        log.warning(
            "rate limit store unavailable (%s); %s",
            type(exc).__name__,
            "allowing request" if self._fail_open else "refusing request",
        )
        return Decision(self._fail_open, 0.0 if self._fail_open else 1.0)


def _decide(rate: Rate, count: int, seconds_left: float) -> Decision:
    if count <= rate.limit:
        return Decision(True, 0.0, rate.limit - count)
    return Decision(False, max(seconds_left, 0.001), 0)


def limiter_factory(
    settings: Any, *, redis: Any = None, clock: Clock = time.monotonic
) -> LimiterFactory:
    """Redis limiters when ``settings.redis_url`` is set (or ``redis`` is given), else in-process.

    The Redis client is created here (no connection is made until the first hit).
    """
    url = getattr(settings, "redis_url", None)
    if redis is None and url:
        import redis.asyncio as redis_asyncio

        redis = redis_asyncio.from_url(url)
    if redis is not None:
        client = redis
        return lambda rate, namespace: RedisRateLimiter(client, rate, namespace)
    return lambda rate, namespace: InMemoryRateLimiter(rate, namespace, clock=clock)


class RateLimits:
    """The per-IP and per-user limiters of one app (``app.state.rate_limits``)."""

    def __init__(self, per_ip: RateLimiter | None, per_user: RateLimiter | None) -> None:
        self.per_ip = per_ip
        self.per_user = per_user

    async def check_ip(self, address: str) -> None:
        if self.per_ip is not None:
            decision = await self.per_ip.hit(address)
            if not decision.allowed:
                raise RateLimited("too many requests from this address", decision.retry_after)

    async def check_user(self, staff: str) -> None:
        if self.per_user is not None and staff:
            decision = await self.per_user.hit(staff)
            if not decision.allowed:
                raise RateLimited("too many requests for this staff member", decision.retry_after)


def too_many_body(error: RateLimited) -> tuple[dict[str, str], bytes]:
    seconds = max(1, math.ceil(error.retry_after))
    body = {"detail": f"{error.message}; try again in {seconds} s", "retry_after": str(seconds)}
    headers = {"retry-after": str(seconds), "content-type": "application/json"}
    return headers, json.dumps(body).encode()


Rescue = Callable[[str, bytes], Awaitable[dict[str, Any] | None]]
RESCUE_MAX_BYTES = 64 * 1024


class RateLimitMiddleware:
    """ASGI middleware: per-IP then per-user checks before the app sees the request.

    ``rescue`` (with ``rescue_paths``): a POST over the limit to one of those paths has its
    body read (up to 64 KiB) and passed to ``rescue(path, body)``; a JSON body it returns is
    the answer (200) instead of the 429. The gateway uses it so that an emergency is
    answered with the emergency number even over the limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        limits: RateLimits,
        *,
        identify: Identify | None = None,
        exempt: Iterable[str] = ("/healthz",),
        rescue: Rescue | None = None,
        rescue_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.limits = limits
        self.identify = identify
        self.exempt = frozenset(exempt)
        self.rescue = rescue
        self.rescue_paths = frozenset(rescue_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        try:
            client = scope.get("client")
            await self.limits.check_ip(client[0] if client else "unknown")
            if self.identify is not None:
                staff = await self.identify(scope)
                if staff:
                    await self.limits.check_user(staff)
        except RateLimited as exc:
            if not await self._rescued(scope, receive, send):
                await _send_429(send, exc)
            return
        await self.app(scope, receive, send)

    async def _rescued(self, scope: Scope, receive: Receive, send: Send) -> bool:
        path = scope.get("path", "")
        if self.rescue is None or path not in self.rescue_paths or scope["method"] != "POST":
            return False
        body = bytearray()
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if len(body) > RESCUE_MAX_BYTES:
                return False
            if not message.get("more_body"):
                break
        answer = await self.rescue(path, bytes(body))
        if answer is None:
            return False
        await JSONResponse(answer)(scope, receive, send)
        return True


async def _send_429(send: Send, error: RateLimited) -> None:
    headers, body = too_many_body(error)
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _rate_limited_handler(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RateLimited):  # registered for RateLimited only
        raise exc
    headers, body = too_many_body(exc)
    return JSONResponse(
        json.loads(body), status_code=429, headers={"Retry-After": headers["retry-after"]}
    )


def bearer_identify(verify: Callable[[str], Awaitable[Any]]) -> Identify:
    """``identify`` for bearer-token routes: the staff of a token ``verify`` accepts.

    ``verify`` is e.g. ``ctx.tokens.verify`` (returns a ``StaffToken`` with ``.staff``); an
    invalid token identifies nobody (the route itself answers 401), so a forged token can
    never spend another staff member's budget.
    """

    async def identify(scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer" or not token.strip():
                    return None
                try:
                    verified = await verify(token.strip())
                except Exception:  # any rejection: not identified; the route answers 401
                    return None
                # the route may take this request's verdict instead of checking again
                scope.setdefault("state", {})[VERIFIED_BEARER] = (token.strip(), verified)
                return str(getattr(verified, "staff", verified) or "") or None
        return None

    return identify


def verified_bearer(scope: Scope, token: str) -> Any:
    """What ``bearer_identify``'s ``verify`` returned for ``token`` in this same request
    (the request's own token, checked a moment ago), else ``None``."""
    seen = (scope.get("state") or {}).get(VERIFIED_BEARER)
    return seen[1] if seen is not None and hmac.compare_digest(seen[0], token) else None


def install_rate_limits(
    app: Any,
    make_limiter: LimiterFactory,
    *,
    per_ip: Rate | None,
    per_user: Rate | None,
    identify: Identify | None = None,
    exempt: Iterable[str] = ("/healthz",),
    rescue: Rescue | None = None,
    rescue_paths: Iterable[str] = (),
) -> RateLimits:
    """Add the middleware to a FastAPI/Starlette ``app``; returns (and stores) the limits."""
    limits = RateLimits(
        make_limiter(per_ip, "ip") if per_ip else None,
        make_limiter(per_user, "user") if per_user else None,
    )
    app.state.rate_limits = limits
    app.add_exception_handler(RateLimited, _rate_limited_handler)
    app.add_middleware(
        RateLimitMiddleware,
        limits=limits,
        identify=identify,
        exempt=exempt,
        rescue=rescue,
        rescue_paths=tuple(rescue_paths),
    )
    return limits
