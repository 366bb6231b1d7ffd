"""``UsageBuffer``: usage rows written behind the replies, in batches, on a real store."""

from __future__ import annotations

import asyncio
import logging

import pytest

from assistant.store import open_store_at
from assistant.usage.buffer import UsageBuffer
from assistant.usage.log import UsageLog
from tests.usage.test_report import TURNS


@pytest.fixture
def usage(tmp_path):
    store = open_store_at(f"sqlite:///{tmp_path / 'a.db'}")
    yield UsageLog(store)
    store.close()


class Counting(UsageLog):
    """The real log, counting its transactions."""

    def __init__(self, log: UsageLog) -> None:
        super().__init__(log._store)
        self.batches: list[int] = []

    def record_many(self, turns):
        self.batches.append(len(turns))
        super().record_many(turns)


async def test_usage_buffer_writes_a_batch_after_the_delay_in_order(usage):
    log = Counting(usage)
    buffer = UsageBuffer(lambda: log, delay=0.2)
    for t in TURNS:
        buffer.add(t)
    assert usage.turns() == [] and buffer.waiting == len(TURNS)  # not yet: behind the reply
    await asyncio.sleep(0.5)
    assert sorted(usage.turns(), key=TURNS.index) == TURNS
    assert log.batches == [len(TURNS)]  # one transaction
    assert buffer.waiting == 0
    await buffer.aclose()


async def test_usage_buffer_flush_writes_now(usage):
    buffer = UsageBuffer(lambda: usage, delay=60)
    buffer.add(TURNS[0])
    await buffer.flush()
    assert usage.turns() == [TURNS[0]]
    await buffer.flush()  # nothing waiting: nothing written twice
    assert usage.turns() == [TURNS[0]]
    await buffer.aclose()


async def test_usage_buffer_full_batch_goes_at_once(usage):
    log = Counting(usage)
    buffer = UsageBuffer(lambda: log, delay=60, limit=3)
    for t in TURNS[:3]:
        buffer.add(t)
    await asyncio.sleep(0.2)  # the limit, not the 60 s delay
    assert len(usage.turns()) == 3 and log.batches == [3]
    await buffer.aclose()


async def test_usage_buffer_close_writes_what_waits(usage):
    buffer = UsageBuffer(lambda: usage, delay=60)
    for t in TURNS:
        buffer.add(t)
    await buffer.aclose()  # a gateway stopped by SIGTERM: its lifespan closes the buffer
    assert len(usage.turns()) == len(TURNS)


async def test_usage_buffer_store_error_is_logged_and_later_rows_still_go(usage, caplog):
    class Broken(UsageLog):
        def record_many(self, turns):
            raise OSError("disk full")

    logs = [Broken(usage._store), usage]
    buffer = UsageBuffer(lambda: logs[0], delay=60)
    buffer.add(TURNS[0])
    with caplog.at_level(logging.WARNING, logger="assistant.usage.buffer"):
        await buffer.flush()  # no exception: recording never fails a turn
    assert "1 usage records not written: OSError" in caplog.text
    logs.pop(0)
    buffer.add(TURNS[1])
    await buffer.aclose()
    assert usage.turns() == [TURNS[1]]


async def test_usage_buffer_without_a_store_drops_quietly():
    buffer = UsageBuffer(lambda: None, delay=60)
    buffer.add(TURNS[0])
    await buffer.aclose()
    assert buffer.waiting == 0
