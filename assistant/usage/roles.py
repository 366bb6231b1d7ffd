"""Staff roles by username, from the HMS (PractitionerRole), cached for a few minutes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
UNKNOWN = "unknown"


def role_label(roles: frozenset[str]) -> str:
    """One label per staff member for grouping: their roles, sorted, comma-joined."""
    return ",".join(sorted(roles))[:60] or UNKNOWN


class RoleLookup:
    """``await roles(username)``: the staff member's active roles, or an empty set."""

    def __init__(
        self,
        hms: Callable[[], Any],
        *,
        ttl: float = 300.0,
        failure_ttl: float = 30.0,
        timeout: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._hms = hms
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._timeout = timeout
        self._clock = clock
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}

    async def roles(self, username: str) -> frozenset[str]:
        hit = self._cache.get(username)
        now = self._clock()
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            client = self._hms()
            found = await asyncio.wait_for(client.find_staff(username=username), self._timeout)
        except Exception as exc:  # the HMS is down: unknown for a short while
            log.info("role lookup failed: %s", type(exc).__name__)
            self._cache[username] = (now + self._failure_ttl, frozenset())
            return frozenset()
        staff = next((s for s in found if s.username == username and s.active), None)
        roles = frozenset(staff.roles) if staff is not None else frozenset()
        self._cache[username] = (now + self._ttl, roles)
        return roles

    async def label(self, username: str) -> str:
        return role_label(await self.roles(username))
