"""``UsageBuffer``: usage rows written behind the replies, a batch at a time.

A ``usage_turn`` row per message used to cost its own worker-thread hop and transaction
before the reply went back (~0.8 ms of the gateway's CPU per message, on the reply's
path). Rows now wait in the gateway's memory for at most ``delay`` seconds (or until
``limit`` of them wait) and go in one transaction, in the order they came. What reads them
in this process (the dashboard, its CSV, ``/metrics``) flushes first, so its figures
include every answered message; a gateway that is stopped flushes on the way out. A
gateway killed outright (kill -9, power loss) loses at most ``delay`` seconds of usage
rows - counts for the dashboard, never audit events (those are written before the action
answers, ``assistant.audit``). A store error is logged without text and the batch is
dropped, as a single row was before: recording never fails a turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .log import Turn, UsageLog

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5
MAX_ROWS = 200


class UsageBuffer:
    def __init__(
        self,
        usage: Callable[[], UsageLog | None],
        *,
        delay: float = FLUSH_SECONDS,
        limit: int = MAX_ROWS,
    ) -> None:
        self._usage = usage
        self._delay = delay
        self._limit = limit
        self._rows: list[Turn] = []
        self._timer: asyncio.Task[None] | None = None
        self._writing = asyncio.Lock()  # batches go in the order they were taken

    @property
    def waiting(self) -> int:
        return len(self._rows)

    def add(self, turn: Turn) -> None:
        """Keep ``turn`` for the next batch (written within ``delay`` seconds)."""
        self._rows.append(turn)
        if len(self._rows) >= self._limit:
            self._start(0.0)
        elif self._timer is None or self._timer.done():
            self._start(self._delay)

    def _start(self, delay: float) -> None:
        if self._timer is not None and not self._timer.done() and delay > 0:
            return
        self._timer = asyncio.get_running_loop().create_task(self._later(delay))

    async def _later(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self.flush()

    async def flush(self) -> None:
        """Write every waiting row now (one transaction)."""
        async with self._writing:
            rows, self._rows = self._rows, []
            if not rows:
                return
            usage = self._usage()
            if usage is None:
                return
            try:
                await asyncio.to_thread(usage.record_many, rows)
            except Exception as exc:
                log.warning("%d usage records not written: %s", len(rows), type(exc).__name__)

    async def aclose(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None and not timer.done():
            timer.cancel()
        await self.flush()
