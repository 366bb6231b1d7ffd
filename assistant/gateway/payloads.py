"""Button payloads: only those the gateway offered in a conversation go to Rasa.

Rasa reads a message like ``/affirm{"appointment_id": "123"}`` as an intent *with
entities*, which can set slots directly. A button press is such a message, so anyone who
can type into a conversation could otherwise send payloads no button ever offered. The
gateway remembers every payload it offered in each conversation (for the session length,
in Redis when ``REDIS_URL`` is set so any gateway worker can check it, else in process)
and refuses an entity-carrying payload that was not offered there. A bare ``/intent``
carries no data and is no more than typed words mean, so it passes (the safety net's own
``/emergency`` included).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from assistant.conversation import Reply

log = logging.getLogger(__name__)

OFFER_TTL_SECONDS = 1800  # a Rasa session (session_expiration_time is about 30 minutes)
MAX_OFFERS = 200
REFUSED = (
    "That button isn't from this conversation or has expired, so I didn't act on it. "
    "Please tell me what you need."
)
_WITH_ENTITIES = re.compile(r"^\s*/[^\s{@]+(@[0-9.]+)?\s*\{")


def carries_entities(text: str) -> bool:
    """True for Rasa intent messages with an entity block: ``/intent{...}``."""
    return bool(_WITH_ENTITIES.match(text))


class OfferStore(Protocol):
    async def add(self, sender: str, payloads: list[str]) -> None: ...

    async def has(self, sender: str, payload: str) -> bool: ...


class MemoryOffers:
    """Offered payloads per conversation in this process (the embedded default)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._offers: dict[str, tuple[float, dict[str, None]]] = {}

    async def add(self, sender: str, payloads: list[str]) -> None:
        now = self._clock()
        for key in [k for k, (exp, _) in self._offers.items() if exp < now]:
            del self._offers[key]
        _, known = self._offers.get(sender, (0.0, {}))
        known.update(dict.fromkeys(payloads))
        while len(known) > MAX_OFFERS:
            known.pop(next(iter(known)))
        self._offers[sender] = (now + OFFER_TTL_SECONDS, known)

    async def has(self, sender: str, payload: str) -> bool:
        expires, known = self._offers.get(sender, (0.0, {}))
        return expires >= self._clock() and payload in known


class RedisOffers:
    """Offered payloads per conversation in Redis (a set per sender, expiring)."""

    def __init__(self, redis: Any, prefix: str = "hms:offers:") -> None:
        self._redis, self._prefix = redis, prefix

    async def add(self, sender: str, payloads: list[str]) -> None:
        key = self._prefix + sender
        pipe = self._redis.pipeline()
        pipe.sadd(key, *payloads)
        pipe.expire(key, OFFER_TTL_SECONDS)
        await pipe.execute()

    async def has(self, sender: str, payload: str) -> bool:
        return bool(await self._redis.sismember(self._prefix + sender, payload))


class PayloadGuard:
    """Remembers offered payloads and admits only those (see the module doc)."""

    def __init__(self, store: OfferStore) -> None:
        self._store = store

    async def remember(self, sender: str, replies: Iterable[Reply]) -> None:
        payloads = [b.payload for r in replies for b in r.buttons if carries_entities(b.payload)]
        if payloads:
            await self._store.add(sender, payloads)

    async def admit(self, sender: str, text: str) -> bool:
        if not carries_entities(text):
            return True
        if await self._store.has(sender, text.strip()):
            return True
        log.info("refused a button payload not offered in this conversation")
        return False

    @staticmethod
    def refusal() -> list[Reply]:
        return [Reply(REFUSED, custom={"phi": False, "kind": "payload_refused", "data": {}})]


def payload_guard(settings: Any) -> PayloadGuard:
    """Redis-backed when ``settings.redis_url`` is set, else in process."""
    if getattr(settings, "redis_url", None):
        import redis.asyncio as aioredis

        return PayloadGuard(RedisOffers(aioredis.from_url(settings.redis_url)))
    return PayloadGuard(MemoryOffers())
