"""Per-IP / per-user rate limits: in-process and Redis limiters, and the gateway middleware."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import httpx
import pytest
import redis.asyncio as redis_asyncio
from fastapi import FastAPI, Request

from assistant.config import get_settings
from assistant.ratelimit import (
    Decision,
    InMemoryRateLimiter,
    Rate,
    RedisRateLimiter,
    bearer_identify,
    install_rate_limits,
    limiter_factory,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def hits(limiter, key, n):
    return [await limiter.hit(key) for _ in range(n)]


async def test_rate_parse_accepts_units_and_rejects_garbage():
    assert Rate.parse("30/minute") == Rate(30, 60)
    assert Rate.parse("5/s") == Rate(5, 1)
    assert Rate.parse("10/90") == Rate(10, 90)
    for bad in ("", "x/minute", "10/fortnight", "0/minute", "-1/s"):
        with pytest.raises(ValueError):
            Rate.parse(bad)


async def test_memory_limiter_allows_limit_then_refuses_with_retry_after():
    clock = FakeClock()
    limiter = InMemoryRateLimiter(Rate(3, 60), clock=clock)
    decisions = await hits(limiter, "10.0.0.1", 3)
    assert [d.allowed for d in decisions] == [True, True, True]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    clock.now += 20
    refused = await limiter.hit("10.0.0.1")
    assert refused == Decision(False, 40.0, 0)


async def test_memory_limiter_keys_are_independent():
    limiter = InMemoryRateLimiter(Rate(1, 60), clock=FakeClock())
    assert (await limiter.hit("a")).allowed
    assert not (await limiter.hit("a")).allowed
    assert (await limiter.hit("b")).allowed


async def test_memory_limiter_window_reopens_after_it_closes():
    clock = FakeClock()
    limiter = InMemoryRateLimiter(Rate(2, 10), clock=clock)
    await hits(limiter, "k", 3)
    clock.now += 10
    assert [d.allowed for d in await hits(limiter, "k", 3)] == [True, True, False]


async def test_memory_limiter_table_stays_bounded():
    clock = FakeClock()
    limiter = InMemoryRateLimiter(Rate(1, 10), clock=clock, max_keys=100)
    for i in range(1000):
        clock.now += 0.01
        await limiter.hit(f"ip-{i}")
    assert len(limiter._windows) <= 100
    assert not (await limiter.hit("ip-999")).allowed  # the newest windows survive


async def test_limiter_factory_picks_memory_without_redis_url():
    settings = dataclasses.replace(get_settings(), redis_url=None)
    assert isinstance(limiter_factory(settings)(Rate(1, 1), "ip"), InMemoryRateLimiter)


# --- Redis -----------------------------------------------------------------------------


@pytest.fixture
async def redis_client(redis_url):
    client = redis_asyncio.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_redis_limiter_allows_limit_then_refuses_with_retry_after(redis_client):
    limiter = RedisRateLimiter(redis_client, Rate(3, 60), uuid.uuid4().hex)
    decisions = await hits(limiter, "10.0.0.1", 4)
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert 0 < decisions[3].retry_after <= 60


@pytest.mark.redis
async def test_redis_limiter_counts_concurrent_hits_exactly(redis_client):
    limiter = RedisRateLimiter(redis_client, Rate(10, 60), uuid.uuid4().hex)
    decisions = await asyncio.gather(*(limiter.hit("shared") for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 10


@pytest.mark.redis
async def test_redis_limiter_window_expires_in_redis(redis_client):
    limiter = RedisRateLimiter(redis_client, Rate(1, 0.2), uuid.uuid4().hex)
    assert (await limiter.hit("k")).allowed
    assert not (await limiter.hit("k")).allowed
    await asyncio.sleep(0.3)
    assert (await limiter.hit("k")).allowed


@pytest.mark.redis
async def test_redis_limiter_stores_no_clear_key(redis_client):
    namespace = uuid.uuid4().hex
    await RedisRateLimiter(redis_client, Rate(5, 60), namespace).hit("n.jones")
    keys = [k.decode() async for k in redis_client.scan_iter(f"ratelimit:{namespace}:*")]
    assert len(keys) == 1 and "n.jones" not in keys[0]
    assert 0 < await redis_client.pttl(keys[0]) <= 60_000


@pytest.mark.redis
async def test_redis_limiters_share_budget_across_workers(redis_url):
    namespace = uuid.uuid4().hex
    clients = [redis_asyncio.from_url(redis_url) for _ in range(2)]
    try:
        workers = [RedisRateLimiter(c, Rate(4, 60), namespace) for c in clients]
        decisions = [await workers[i % 2].hit("ip") for i in range(6)]
    finally:
        for client in clients:
            await client.aclose()
    assert [d.allowed for d in decisions] == [True] * 4 + [False] * 2


@pytest.mark.redis
async def test_limiter_factory_picks_redis_with_redis_url(redis_url):
    settings = dataclasses.replace(get_settings(), redis_url=redis_url)
    limiter = limiter_factory(settings)(Rate(1, 60), uuid.uuid4().hex)
    assert isinstance(limiter, RedisRateLimiter)
    assert [(await limiter.hit("x")).allowed for _ in range(2)] == [True, False]
    await limiter._redis.aclose()


async def test_redis_limiter_fails_open_when_redis_is_down():
    client = redis_asyncio.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        decision = await RedisRateLimiter(client, Rate(1, 60)).hit("k")
        closed = await RedisRateLimiter(client, Rate(1, 60), fail_open=False).hit("k")
    finally:
        await client.aclose()
    assert decision.allowed
    assert not closed.allowed


# --- middleware --------------------------------------------------------------------------


class Tokens:
    """Accepts ``good-<staff>`` tokens only."""

    async def verify(self, token):
        if not token.startswith("good-"):
            raise ValueError("invalid token")
        return type("StaffToken", (), {"staff": token[5:]})()


def make_app(make_limiter, *, per_ip=Rate(100, 60), per_user=Rate(100, 60)):
    app = FastAPI()
    seen = []

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok"}

    @app.post("/api/v1/messages")
    async def messages():
        seen.append("messages")
        return {"ok": True}

    @app.post("/slack/events")
    async def slack(request: Request):
        await request.app.state.rate_limits.check_user("u.slack")
        seen.append("slack")
        return {"ok": True}

    install_rate_limits(
        app,
        make_limiter,
        per_ip=per_ip,
        per_user=per_user,
        identify=bearer_identify(Tokens().verify),
    )
    return app, seen


def client(app, ip="10.1.1.1"):
    transport = httpx.ASGITransport(app=app, client=(ip, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://gw")


def memory_factory():
    return limiter_factory(dataclasses.replace(get_settings(), redis_url=None), clock=FakeClock())


async def test_middleware_per_ip_429_with_retry_after_and_message():
    app, seen = make_app(memory_factory(), per_ip=Rate(2, 60))
    async with client(app) as c:
        answers = [await c.post("/api/v1/messages") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "60"
    assert "too many requests from this address" in answers[2].json()["detail"]
    assert seen == ["messages", "messages"]


async def test_middleware_other_ip_is_not_limited():
    app, _ = make_app(memory_factory(), per_ip=Rate(1, 60))
    async with client(app, "10.0.0.1") as first, client(app, "10.0.0.2") as second:
        assert (await first.post("/api/v1/messages")).status_code == 200
        assert (await first.post("/api/v1/messages")).status_code == 429
        assert (await second.post("/api/v1/messages")).status_code == 200


async def test_middleware_per_user_limit_follows_the_verified_staff_across_ips():
    app, seen = make_app(memory_factory(), per_user=Rate(2, 60))
    headers = {"Authorization": "Bearer good-n.jones"}
    codes = []
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        async with client(app, ip) as c:
            codes.append((await c.post("/api/v1/messages", headers=headers)).status_code)
    assert codes == [200, 200, 429]
    assert seen == ["messages", "messages"]


async def test_middleware_forged_token_does_not_spend_the_victims_budget():
    app, _ = make_app(memory_factory(), per_user=Rate(1, 60))
    async with client(app, "10.6.6.6") as attacker:
        for _ in range(5):
            await attacker.post("/api/v1/messages", headers={"Authorization": "Bearer n.jones"})
    async with client(app) as victim:
        answer = await victim.post(
            "/api/v1/messages", headers={"Authorization": "Bearer good-n.jones"}
        )
    assert answer.status_code == 200


async def test_middleware_check_user_from_a_route_answers_429():
    app, seen = make_app(memory_factory(), per_user=Rate(1, 60))
    async with client(app) as c:
        codes = [(await c.post("/slack/events")).status_code for _ in range(2)]
        body = (await c.post("/slack/events")).json()
    assert codes == [200, 429]
    assert "too many requests for this staff member" in body["detail"]
    assert seen == ["slack"]


async def test_middleware_healthz_is_exempt():
    app, _ = make_app(memory_factory(), per_ip=Rate(1, 60))
    async with client(app) as c:
        assert [(await c.get("/healthz")).status_code for _ in range(5)] == [200] * 5


@pytest.mark.redis
async def test_middleware_with_redis_limits_per_ip(redis_url):
    redis = redis_asyncio.from_url(redis_url)
    settings = dataclasses.replace(get_settings(), redis_url=redis_url)
    app, seen = make_app(limiter_factory(settings, redis=redis), per_ip=Rate(2, 60))
    ip = f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    try:
        async with client(app, ip) as c:
            codes = [(await c.post("/api/v1/messages")).status_code for _ in range(3)]
    finally:
        await redis.aclose()
    assert codes == [200, 200, 429]
    assert len(seen) == 2
