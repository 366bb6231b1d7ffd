"""``ReviewCapture``: the gateway's hook that keeps a missed message with its predictions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .peek import TrackerNlu
from .queue import ReviewQueue

log = logging.getLogger(__name__)


class ReviewCapture:
    def __init__(self, queue: Callable[[], ReviewQueue | None], nlu: TrackerNlu) -> None:
        self._queue = queue
        self._nlu = nlu

    async def capture(self, *, sender: str, text: str, channel: str, role: str, kind: str) -> None:
        queue = self._queue()
        if queue is None:
            return
        result = await self._nlu.latest(sender)
        predictions = result.predictions if result is not None else ()
        await asyncio.to_thread(
            queue.keep,
            text=text,
            channel=channel,
            role=role,
            kind=kind,
            predictions=predictions,
        )
        log.info("kept a message that was not understood for review (%s)", kind)

    async def aclose(self) -> None:
        await self._nlu.aclose()
