"""A Redis conversation lock for several Rasa workers that is atomic and never blocks the loop.

Rasa 3.6's ``RedisLockStore`` reads a ticket list, changes it and writes it back with the
synchronous client: two workers issuing tickets at the same moment can overwrite each
other (RasaHQ/rasa#9213), and every call blocks the worker's event loop. The gateway pins
each conversation to one worker, so the lock matters when a conversation moves (its
worker died and the gateway sent the next message elsewhere) or a retry arrives while the
first attempt still runs.

This lock is one key per conversation: ``SET key token NX PX`` to take it, a compare-and-
delete script to give it back, and a renewal every third of its lifetime while the turn
runs, so a killed worker's lock lapses in ``lease_seconds`` instead of Rasa's 60 s.
Configured in ``endpoints.yml``::

    lock_store:
      type: rasa_ext.lock_store.AtomicRedisLockStore
      url_env: REDIS_URL
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, LockStore

log = logging.getLogger(__name__)

PREFIX = "rasa:lock:"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end"
)


class AtomicRedisLockStore(LockStore):
    """One Redis mutex per conversation (``redis.asyncio``)."""

    def __init__(
        self,
        endpoint_config: Any = None,
        *,
        url: str | None = None,
        lease_seconds: float = 10.0,
        wait_seconds: float = 30.0,
        client: Any = None,
    ) -> None:
        kwargs = dict(getattr(endpoint_config, "kwargs", None) or {})
        url_env = kwargs.get("url_env", "REDIS_URL")
        url = url or getattr(endpoint_config, "url", None) or os.environ.get(url_env, "")
        if client is None:
            if not url:
                raise ValueError(f"{url_env} is not set: no Redis for the lock store")
            from redis.asyncio import Redis

            client = Redis.from_url(url)
        self.redis = client
        self.lease_ms = int(float(kwargs.get("lease_seconds", lease_seconds)) * 1000)
        self.wait_seconds = float(kwargs.get("wait_seconds", wait_seconds))
        super().__init__()

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = 0,
        wait_time_in_seconds: float = 0,
    ) -> AsyncIterator[TicketLock]:
        key = PREFIX + conversation_id
        token = secrets.token_hex(16)
        await self._acquire(key, token, conversation_id)
        renewer = asyncio.ensure_future(self._renew(key, token))
        try:
            yield TicketLock(conversation_id)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            try:
                await self.redis.eval(_RELEASE, 1, key, token)
            except Exception as exc:  # the lease lapses on its own
                log.warning("could not release a conversation lock: %s", type(exc).__name__)

    async def _acquire(self, key: str, token: str, conversation_id: str) -> None:
        deadline = time.monotonic() + self.wait_seconds
        pause = 0.005
        while True:
            try:
                if await self.redis.set(key, token, nx=True, px=self.lease_ms):
                    return
            except Exception as exc:
                raise LockError(f"lock store unavailable: {type(exc).__name__}") from exc
            if time.monotonic() >= deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

    async def _renew(self, key: str, token: str) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            try:
                await self.redis.eval(_RENEW, 1, key, token, self.lease_ms)
            except Exception as exc:
                log.warning("could not renew a conversation lock: %s", type(exc).__name__)

    # the ticket API of LockStore is not used: ``lock`` above replaces it
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def delete_lock(self, conversation_id: str) -> None:
        return None

    def save_lock(self, lock: TicketLock) -> None:
        return None


class LocalLockStore(LockStore):
    """One ``asyncio.Lock`` per conversation in this worker (the embedded default).

    Rasa's in-memory lock store polls once a second; a waiting turn here resumes the
    moment the previous one ends.
    """

    def __init__(self, endpoint_config: Any = None) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        super().__init__()

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = 0,
        wait_time_in_seconds: float = 0,
    ) -> AsyncIterator[TicketLock]:
        mutex, users = self._locks.get(conversation_id, (asyncio.Lock(), 0))
        self._locks[conversation_id] = (mutex, users + 1)
        try:
            async with mutex:
                yield TicketLock(conversation_id)
        finally:
            mutex, users = self._locks[conversation_id]
            if users <= 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (mutex, users - 1)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def delete_lock(self, conversation_id: str) -> None:
        return None

    def save_lock(self, lock: TicketLock) -> None:
        return None
