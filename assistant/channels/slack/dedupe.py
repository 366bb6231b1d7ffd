"""De-duplication of Slack deliveries: in-process TTL dict, or Redis ``SET NX EX``.

Slack redelivers an event (with ``X-Slack-Retry-Num``) when it did not see an ack in
3 seconds; a delivery whose ``event_id`` was already seen is dropped, so a slow answer
never produces a second booking or reply.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .ports import DedupeStore

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 3600  # Slack retries within minutes; an hour is ample


class MemoryDedupe:
    """In-process store (the embedded default: one gateway process)."""

    def __init__(
        self, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        now = self._clock()
        while self._seen:
            oldest, expires = next(iter(self._seen.items()))
            if expires > now:
                break
            del self._seen[oldest]
        if key in self._seen:
            return False
        self._seen[key] = now + self._ttl
        return True


class RedisDedupe:
    """Shared store for several gateway workers: one atomic ``SET key 1 NX EX ttl``."""

    def __init__(
        self, redis: Any, ttl: int = DEFAULT_TTL_SECONDS, prefix: str = "hms:slack:"
    ) -> None:
        self._redis = redis
        self._ttl = ttl
        self._prefix = prefix

    async def first_time(self, key: str) -> bool:
        try:
            created = await self._redis.set(self._prefix + key, "1", nx=True, ex=self._ttl)
        except Exception as exc:  # Redis down: answer rather than drop the staff member
            logger.warning(
                "slack dedupe: redis unavailable (%s); treating as new", type(exc).__name__
            )
            return True
        return bool(created)


def dedupe_from_settings(settings: Any) -> DedupeStore:
    """Redis when ``settings.redis_url`` is set, else the in-process store."""
    url = getattr(settings, "redis_url", None)
    if url:
        import redis.asyncio as aioredis

        return RedisDedupe(aioredis.from_url(url))
    return MemoryDedupe()
