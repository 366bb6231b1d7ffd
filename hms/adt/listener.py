"""The MLLP listener: asyncio TCP server, one ACK per framed message, in order.

Messages from every connection are applied one at a time on a single worker thread (ADT
order matters; the database work is synchronous SQLAlchemy). A connection may carry any
number of messages; an idle one is closed after ``idle_timeout`` seconds. Framing
problems never close the listener: an oversized frame gets an AR, stray bytes are
dropped, a broken connection is just closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from hms.adt.ack import build_ack
from hms.adt.message import SEGMENT_SEQUENCE, Header
from hms.adt.mllp import FrameReader, frame
from hms.adt.processor import AdtProcessor, Outcome

log = logging.getLogger("hms.adt")


class AdtListener:
    def __init__(
        self,
        processor: AdtProcessor,
        host: str = "127.0.0.1",
        port: int = 2575,
        *,
        idle_timeout: float = 600.0,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.processor = processor
        self.host, self.port = host, port
        self.idle_timeout = idle_timeout
        self.on_outcome = on_outcome
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="adt")
        self._server: asyncio.Server | None = None

    async def start(self) -> AdtListener:
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        sock = self._server.sockets[0].getsockname()
        self.port = int(sock[1])
        log.info("ADT listener (MLLP) on %s:%s", self.host, self.port)
        return self

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self._worker.shutdown(wait=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        frames = FrameReader()
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    data = await asyncio.wait_for(reader.read(65536), self.idle_timeout)
                except TimeoutError:
                    break
                if not data:
                    break
                for item in frames.feed(data):
                    if item.oversized:
                        ack = build_ack(
                            Header(), "AR", "message larger than 1 MB", SEGMENT_SEQUENCE
                        )
                    else:
                        ack, outcome = await loop.run_in_executor(
                            self._worker, self.processor.handle, item.body
                        )
                        if self.on_outcome is not None:
                            self.on_outcome(outcome)
                    writer.write(frame(ack))
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as exc:  # one bad connection never stops the listener
            log.error("ADT connection failed: %s", type(exc).__name__)
        finally:
            if frames.dropped:
                log.warning(
                    "ADT connection: %d byte(s) outside MLLP frames dropped", frames.dropped
                )
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass
