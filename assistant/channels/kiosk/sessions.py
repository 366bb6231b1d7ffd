"""Kiosk sessions: one signed-in staff member, one fresh conversation id, idle timeout.

In memory for the embedded setup; Redis (``REDIS_URL``, ``redis.asyncio``) when several
gateway workers share the kiosks, so any worker can serve any kiosk request. A session
idle longer than ``idle_seconds`` is gone: the next person starts a new session and a new
conversation, so never sees the previous one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol


@dataclass(frozen=True)
class KioskSession:
    id: str
    staff: str
    badge: str
    conversation: str
    created: float
    last_seen: float


class SessionStore(Protocol):
    async def create(self, staff: str, badge: str) -> KioskSession: ...
    async def get(self, session_id: str) -> KioskSession | None: ...
    async def delete(self, session_id: str) -> None: ...


def _new(staff: str, badge: str, now: float) -> KioskSession:
    return KioskSession(
        id=secrets.token_urlsafe(32),
        staff=staff,
        badge=badge,
        conversation=f"k{secrets.token_hex(8)}",
        created=now,
        last_seen=now,
    )


class MemorySessionStore:
    def __init__(self, idle_seconds: int, clock: Callable[[], float]) -> None:
        self._idle, self._clock = idle_seconds, clock
        self._sessions: dict[str, KioskSession] = {}

    async def create(self, staff: str, badge: str) -> KioskSession:
        session = _new(staff, badge, self._clock())
        self._sessions[session.id] = session
        return session

    async def get(self, session_id: str) -> KioskSession | None:
        session = self._sessions.get(session_id)
        now = self._clock()
        if session is None:
            return None
        if now - session.last_seen > self._idle:
            self._sessions.pop(session_id, None)
            return None
        session = replace(session, last_seen=now)
        self._sessions[session_id] = session
        return session

    async def delete(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)


class RedisSessionStore:
    """Sessions as Redis keys with a TTL of ``idle_seconds`` refreshed on each use."""

    def __init__(self, redis: Any, idle_seconds: int, clock: Callable[[], float]) -> None:
        self._redis, self._idle, self._clock = redis, idle_seconds, clock

    def _key(self, session_id: str) -> str:
        return f"kiosk:session:{session_id}"

    async def create(self, staff: str, badge: str) -> KioskSession:
        session = _new(staff, badge, self._clock())
        await self._redis.set(self._key(session.id), json.dumps(asdict(session)), ex=self._idle)
        return session

    async def get(self, session_id: str) -> KioskSession | None:
        raw = await self._redis.get(self._key(session_id))
        if raw is None:
            return None
        session = replace(KioskSession(**json.loads(raw)), last_seen=self._clock())
        # XX: a session deleted (signed out) meanwhile is not brought back
        await self._redis.set(
            self._key(session_id), json.dumps(asdict(session)), ex=self._idle, xx=True
        )
        return session

    async def delete(self, session_id: str) -> None:
        await self._redis.delete(self._key(session_id))
