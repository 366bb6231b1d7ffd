"""Kiosk state a turn leaves for the next request: reply speech and pending help details.

A kiosk's next request (fetching the reply audio, the next turn) may reach another
gateway worker, so with ``REDIS_URL`` this state lives in Redis (``redis.asyncio``);
otherwise in this process.

- **Reply speech**: the text to synthesise, kept ``AUDIO_TTL_SECONDS`` and served once,
  only to the session that made it (another session asking for the id gets nothing and
  does not use it up).
- **Pending help**: the details of a help request being confirmed, kept per conversation
  so they can be queued if the HMS is down when the staff member confirms.

Both can hold PHI (a reply read aloud, a help description): in Redis they are encrypted
with the data key (``cipher``: ``assistant.crypto.DataCipher``) and expire on their own.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any, Protocol

AUDIO_TTL_SECONDS = 60.0
PENDING_TTL_SECONDS = 3600
_TAKE_IF_OWNER = """
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
if cjson.decode(raw)['owner'] ~= ARGV[1] then return nil end
redis.call('DEL', KEYS[1])
return raw
"""


class AudioStore(Protocol):
    async def put(self, owner: str, text: str) -> str: ...
    async def take(self, owner: str, audio_id: str) -> str | None: ...


class PendingHelp(Protocol):
    async def remember(self, conversation: str, data: dict[str, Any]) -> None: ...
    async def pop(self, conversation: str) -> dict[str, Any] | None: ...


class MemoryAudioStore:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._items: dict[str, tuple[str, str, float]] = {}

    async def put(self, owner: str, text: str) -> str:
        now = self._clock()
        for key in [k for k, (_, _, exp) in self._items.items() if exp < now]:
            self._items.pop(key, None)
        audio_id = secrets.token_urlsafe(16)
        self._items[audio_id] = (owner, text, now + AUDIO_TTL_SECONDS)
        return audio_id

    async def take(self, owner: str, audio_id: str) -> str | None:
        item = self._items.get(audio_id)
        if item is None or item[0] != owner:
            return None
        del self._items[audio_id]
        return None if item[2] < self._clock() else item[1]


class Cipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, token: str) -> str: ...


class RedisAudioStore:
    def __init__(self, redis: Any, cipher: Cipher) -> None:
        self._redis, self._cipher = redis, cipher
        self._take = redis.register_script(_TAKE_IF_OWNER)

    @staticmethod
    def _key(audio_id: str) -> str:
        return f"kiosk:audio:{audio_id}"

    async def put(self, owner: str, text: str) -> str:
        audio_id = secrets.token_urlsafe(16)
        value = json.dumps({"owner": owner, "text": self._cipher.encrypt(text)})
        await self._redis.set(self._key(audio_id), value, ex=int(AUDIO_TTL_SECONDS))
        return audio_id

    async def take(self, owner: str, audio_id: str) -> str | None:
        raw = await self._take(keys=[self._key(audio_id)], args=[owner])
        return None if raw is None else self._cipher.decrypt(json.loads(raw)["text"])


class MemoryPendingHelp:
    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}

    async def remember(self, conversation: str, data: dict[str, Any]) -> None:
        self._items[conversation] = dict(data)

    async def pop(self, conversation: str) -> dict[str, Any] | None:
        return self._items.pop(conversation, None)


class RedisPendingHelp:
    def __init__(self, redis: Any, cipher: Cipher) -> None:
        self._redis, self._cipher = redis, cipher

    @staticmethod
    def _key(conversation: str) -> str:
        return f"kiosk:pending-help:{conversation}"

    async def remember(self, conversation: str, data: dict[str, Any]) -> None:
        sealed = self._cipher.encrypt(json.dumps(data))
        await self._redis.set(self._key(conversation), sealed, ex=PENDING_TTL_SECONDS)

    async def pop(self, conversation: str) -> dict[str, Any] | None:
        raw = await self._redis.getdel(self._key(conversation))
        return None if raw is None else dict(json.loads(self._cipher.decrypt(raw)))
