"""Two gateway workers sharing a real redis-server and the same store file."""

from __future__ import annotations

import pytest

from assistant.handoff.bus import RedisBus
from assistant.handoff.inbox import RedisInbox
from tests.handoff.handoff_kit import H_LEE, REQUESTER_DM, eventually, open_ticket

pytestmark = pytest.mark.redis


class Tagged:
    """Wraps a worker's desk / requester adapter and records which worker posted what."""

    def __init__(self, inner, worker, log):
        self._inner, self._worker, self._log = inner, worker, log

    def __getattr__(self, name):
        return getattr(self._inner, name)

    async def relay(self, ticket, thread, text):
        self._log.append((self._worker, "to_agent", text))
        await self._inner.relay(ticket, thread, text)

    async def deliver(self, sender, text, buttons=()):
        self._log.append((self._worker, "to_requester", text))
        await self._inner.deliver(sender, text, buttons)


@pytest.fixture
def workers(make_worker, redis_url):
    log: list[tuple[str, str, str]] = []
    built = []
    for name in ("A", "B"):
        service = make_worker(RedisBus.from_url(redis_url), name=name)
        service.desk = Tagged(service.desk, name, log)
        service.requesters["slack"] = Tagged(service.requesters["slack"], name, log)
        built.append(service)
    return built[0], built[1], log


async def test_relay_redis_requester_at_a_reaches_agent_via_b(workers):
    a, b, log = workers
    ticket = open_ticket(a)
    await a.tick()
    await a.intercept("n.jones", "slack", REQUESTER_DM, "before anyone claimed")  # at A
    await b.claim(ticket.ticket_id, H_LEE)  # the click reached worker B
    assert ("B", "to_agent", "before anyone claimed") in log
    await a.intercept("n.jones", "slack", REQUESTER_DM, "arrived at worker A")
    await eventually(lambda: ("B", "to_agent", "arrived at worker A") in log)
    assert ("A", "to_agent", "arrived at worker A") not in log  # B's subscription posted it


async def test_relay_redis_agent_at_b_reaches_requester_via_a(workers):
    a, b, log = workers
    ticket = open_ticket(a)
    await a.intercept("n.jones", "slack", REQUESTER_DM, "hello?")  # A owns the requester side
    await b.claim(ticket.ticket_id, H_LEE)
    await eventually(lambda: [e for e in log if e[1] == "to_requester"])
    await b.agent_says(ticket.ticket_id, H_LEE, "hello from worker B")
    wanted = "Help desk (h.lee): hello from worker B"
    await eventually(lambda: ("A", "to_requester", wanted) in log)
    assert ("B", "to_requester", wanted) not in log
    assert [e for e in log if e[2] == wanted] == [("A", "to_requester", wanted)]  # once


async def test_relay_redis_owner_gone_other_worker_delivers(workers):
    a, b, log = workers
    ticket = open_ticket(a)
    await b.claim(ticket.ticket_id, H_LEE)  # B owns the agent side
    await b.aclose()  # worker B dies (its subscriptions go with it)
    await a.intercept("n.jones", "slack", REQUESTER_DM, "is anyone there?")
    assert ("A", "to_agent", "is anyone there?") in log  # no subscriber: A delivered it


async def test_relay_redis_inbox_is_shared_by_workers(redis_url):
    bus_a, bus_b = RedisBus.from_url(redis_url), RedisBus.from_url(redis_url)
    try:
        inbox_a, inbox_b = RedisInbox(bus_a._redis), RedisInbox(bus_b._redis)
        await inbox_a.push("kiosk:n.jones:k1", "On my way")
        assert [i["text"] for i in await inbox_b.pull("kiosk:n.jones:k1")] == ["On my way"]
        assert await inbox_a.pull("kiosk:n.jones:k1") == []
    finally:
        await bus_a.aclose()
        await bus_b.aclose()


async def test_relay_redis_once_and_lease_keys(redis_url):
    bus_a, bus_b = RedisBus.from_url(redis_url), RedisBus.from_url(redis_url)
    try:
        assert await bus_a.once("test:once", 30) and not await bus_b.once("test:once", 30)
        assert await bus_a.lease("test:lease", "A", 30)
        assert not await bus_b.lease("test:lease", "B", 30)
        assert await bus_a.lease("test:lease", "A", 30)  # renewal by the owner
    finally:
        await bus_a.delete("test:once")
        await bus_a.delete("test:lease")
        await bus_a.aclose()
        await bus_b.aclose()
