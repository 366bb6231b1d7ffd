"""Relay buses: in-process (embedded default) and Redis pub/sub + keys with expiry.

``publish`` returns how many subscribers got the message, so a publisher whose topic has
no live subscriber (its owner worker restarted) delivers the message itself and takes the
topic over: nothing is lost, and the store's conditional updates stop double posts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from assistant.handoff.ports import Handler

log = logging.getLogger(__name__)

PREFIX = "handoff:"


class MemoryBus:
    """One process: topics are a dict of handlers; keys expire on a monotonic clock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._handlers: dict[str, Handler] = {}
        self._keys: dict[str, tuple[float, Any]] = {}
        self._clock = clock

    async def publish(self, topic: str, message: dict[str, Any]) -> int:
        handler = self._handlers.get(topic)
        if handler is None:
            return 0
        await handler(message)
        return 1

    async def subscribe(self, topic: str, handler: Handler) -> None:
        self._handlers[topic] = handler

    async def unsubscribe(self, topic: str) -> None:
        self._handlers.pop(topic, None)

    def subscribed(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def _live(self, key: str) -> Any:
        hit = self._keys.get(key)
        if hit is None or hit[0] <= self._clock():
            self._keys.pop(key, None)
            return None
        return hit[1]

    async def lease(self, key: str, owner: str, ttl: float) -> bool:
        current = self._live(key)
        if current not in (None, owner):
            return False
        self._keys[key] = (self._clock() + ttl, owner)
        return True

    async def once(self, key: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._keys[key] = (self._clock() + ttl, 1)
        return True

    async def incr(self, key: str, ttl: float) -> int:
        value = int(self._live(key) or 0) + 1
        self._keys[key] = (self._clock() + ttl, value)
        return value

    async def delete(self, key: str) -> None:
        self._keys.pop(key, None)

    async def aclose(self) -> None:
        self._handlers.clear()


_LEASE = """
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


class RedisBus:
    """``redis.asyncio``: PUBLISH/SUBSCRIBE per topic, SET NX PX for leases and once-keys."""

    def __init__(self, client: Any) -> None:
        self._redis = client
        self._pubsub = client.pubsub()
        self._handlers: dict[str, Handler] = {}
        self._reader: asyncio.Task[None] | None = None
        self._lease = client.register_script(_LEASE)
        self._closed = False

    @classmethod
    def from_url(cls, url: str) -> RedisBus:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, decode_responses=True))

    async def publish(self, topic: str, message: dict[str, Any]) -> int:
        return int(await self._redis.publish(PREFIX + topic, json.dumps(message)))

    async def subscribe(self, topic: str, handler: Handler) -> None:
        fresh = topic not in self._handlers
        self._handlers[topic] = handler
        if fresh:
            await self._pubsub.subscribe(PREFIX + topic)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="handoff-redis-bus")

    async def unsubscribe(self, topic: str) -> None:
        if self._handlers.pop(topic, None) is not None:
            await self._pubsub.unsubscribe(PREFIX + topic)

    def subscribed(self) -> frozenset[str]:
        return frozenset(self._handlers)

    async def _read(self) -> None:
        while True:
            if not self._handlers:
                await asyncio.sleep(0.05)
                continue
            try:
                message = await self._pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=1.0
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: retry; publishers fall back
                log.warning("handoff bus read failed: %s", type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            if not message or message.get("type") != "message":
                continue
            topic = str(message["channel"]).removeprefix(PREFIX)
            handler = self._handlers.get(topic)
            if handler is None:
                continue
            try:
                await handler(json.loads(message["data"]))
            except Exception as exc:
                log.error("handoff bus handler failed: %s", type(exc).__name__)

    async def lease(self, key: str, owner: str, ttl: float) -> bool:
        return bool(await self._lease(keys=[PREFIX + key], args=[owner, int(ttl * 1000)]))

    async def once(self, key: str, ttl: float) -> bool:
        return bool(await self._redis.set(PREFIX + key, "1", nx=True, px=int(ttl * 1000)))

    async def incr(self, key: str, ttl: float) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(PREFIX + key)
            pipe.pexpire(PREFIX + key, int(ttl * 1000))
            value, _ = await pipe.execute()
        return int(value)

    async def delete(self, key: str) -> None:
        await self._redis.delete(PREFIX + key)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._handlers.clear()
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        await self._redis.aclose()
