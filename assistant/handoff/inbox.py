"""Messages waiting for a requester who reads by polling (kiosk screen, REST client).

``push(conversation, text, buttons)`` stores one item; ``pull(conversation)`` returns and
removes everything waiting, oldest first. ``conversation`` is the Rasa sender id
(``kiosk:<staff>:<conversation>``). In-process by default; a Redis list (shared by all
gateway workers, expiring after a day) when ``REDIS_URL`` is set. The kiosk polls e.g.
``GET /kiosk/api/messages`` and calls ``pull`` with its session's sender id.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Sequence
from typing import Any, Protocol

from assistant.conversation import Button
from assistant.handoff.ports import Sender

TTL_SECONDS = 24 * 3600
MAX_ITEMS = 200


def _item(text: str, buttons: Sequence[Button]) -> dict[str, Any]:
    item: dict[str, Any] = {"text": text, "from": "helpdesk"}
    if buttons:
        item["buttons"] = [{"title": b.title, "payload": b.payload} for b in buttons]
    return item


class Inbox(Protocol):
    async def push(self, conversation: str, text: str, buttons: Sequence[Button] = ()) -> None: ...

    async def pull(self, conversation: str) -> list[dict[str, Any]]: ...


class MemoryInbox:
    def __init__(self) -> None:
        self._items: dict[str, deque[dict[str, Any]]] = defaultdict(lambda: deque(maxlen=MAX_ITEMS))

    async def push(self, conversation: str, text: str, buttons: Sequence[Button] = ()) -> None:
        self._items[conversation].append(_item(text, buttons))

    async def pull(self, conversation: str) -> list[dict[str, Any]]:
        items = self._items.pop(conversation, None)
        return list(items or ())


class RedisInbox:
    """A Redis list per conversation (``handoff:inbox:<sender>``), read with LPOP."""

    def __init__(self, client: Any) -> None:
        self._redis = client

    @staticmethod
    def _key(conversation: str) -> str:
        return f"handoff:inbox:{conversation}"

    async def push(self, conversation: str, text: str, buttons: Sequence[Button] = ()) -> None:
        key = self._key(conversation)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(_item(text, buttons)))
            pipe.ltrim(key, -MAX_ITEMS, -1)
            pipe.expire(key, TTL_SECONDS)
            await pipe.execute()

    async def pull(self, conversation: str) -> list[dict[str, Any]]:
        raw = await self._redis.lpop(self._key(conversation), MAX_ITEMS)
        return [json.loads(x) for x in raw or ()]


class InboxRequester:
    """``RequesterChannel`` for channels that poll (kiosk, REST): pushes to the inbox."""

    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def deliver(self, sender: Sender, text: str, buttons: Sequence[Button] = ()) -> None:
        await self._inbox.push(sender.id, text, buttons)
