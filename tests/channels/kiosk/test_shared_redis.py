"""Kiosk sessions, reply audio, pending help and Slack de-duplication in a real redis-server.

Two gateway workers (two apps, two Redis clients) share one Redis: a kiosk signs in on
one, talks through the other and fetches its reply audio from the first.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.channels.kiosk.sessions import RedisSessionStore
from assistant.channels.kiosk.shared import RedisAudioStore, RedisPendingHelp
from assistant.channels.slack.dedupe import RedisDedupe
from assistant.conversation import Reply
from assistant.crypto import DataCipher
from tests.channels.kiosk.conftest import Clock, FakeAssistant, FakeTTS
from tests.fakes.gateway import channel_context

pytestmark = pytest.mark.redis


@pytest.fixture
def cipher() -> DataCipher:
    return DataCipher([Fernet.generate_key().decode()])


@pytest.fixture
async def client(redis_url: str) -> Any:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    await redis.flushdb()
    yield redis
    await redis.aclose()


async def test_redis_sessions_idle_ttl_sign_out_and_shared_by_workers(redis_url, client):
    now = [100.0]
    worker_a = RedisSessionStore(client, 2, lambda: now[0])
    other_client = aioredis.from_url(redis_url, decode_responses=True)
    worker_b = RedisSessionStore(other_client, 2, lambda: now[0])
    session = await worker_a.create("n.jones", "B1")
    assert 0 < await client.ttl(f"kiosk:session:{session.id}") <= 2
    now[0] = 101.0
    seen = await worker_b.get(session.id)  # another worker serves the same kiosk
    assert seen is not None and seen.staff == "n.jones" and seen.last_seen == 101.0
    assert seen.conversation == session.conversation
    await worker_b.delete(session.id)
    assert await worker_a.get(session.id) is None
    idle = await worker_a.create("p.kim", "B2")
    await asyncio.sleep(2.3)  # Redis expires it: idle sign-out without any sweeper
    assert await worker_b.get(idle.id) is None
    await other_client.aclose()


async def test_redis_audio_once_only_to_its_session_and_encrypted(client, cipher):
    store = RedisAudioStore(client, cipher)
    audio_id = await store.put("session-1", "Zebedee Quill is in bed 6")
    raw = await client.get(f"kiosk:audio:{audio_id}")
    assert "Zebedee" not in raw
    assert 0 < await client.ttl(f"kiosk:audio:{audio_id}") <= 60
    assert await store.take("session-2", audio_id) is None  # another kiosk session
    assert await store.take("session-1", audio_id) == "Zebedee Quill is in bed 6"
    assert await store.take("session-1", audio_id) is None  # served once


async def test_redis_pending_help_encrypted_and_taken_once(client, cipher):
    store = RedisPendingHelp(client, cipher)
    details = {"help_type": "porter", "description": "move Zebedee Quill", "priority": "urgent"}
    await store.remember("k123", details)
    assert "Zebedee" not in await client.get("kiosk:pending-help:k123")
    assert await RedisPendingHelp(client, cipher).pop("k123") == details
    assert await store.pop("k123") is None


async def test_redis_slack_dedupe_shared_by_two_workers(redis_url, client):
    other = aioredis.from_url(redis_url)
    first, second = RedisDedupe(client, ttl=5), RedisDedupe(other, ttl=5)
    results = await asyncio.gather(*(d.first_time("event:Ev42") for d in [first, second] * 5))
    assert sorted(results) == [False] * 9 + [True]  # exactly one worker handles it
    assert await second.first_time("event:Ev43") is True
    assert 0 < await client.ttl("hms:slack:event:Ev42") <= 5
    await other.aclose()


@pytest.fixture
def two_workers(
    tmp_path: Path, speech_dir: Path, stt: Any, redis_url: str
) -> Iterator[tuple[TestClient, TestClient, FakeAssistant, dict[str, Any]]]:
    from assistant.channels.kiosk import mount
    from assistant.channels.kiosk.badges import BadgeStore
    from assistant.config import get_settings
    from assistant.store import open_store_at

    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        assistant_database_url=f"sqlite:///{tmp_path / 'assistant.db'}",
        redis_url=redis_url,
        data_key=Fernet.generate_key().decode(),
        kiosk_idle_seconds=60,
        kiosk_speech_dir=speech_dir,
        kiosk_tts_engine="espeak",
    )
    store = open_store_at(settings.assistant_database_url)
    clock = Clock()
    badges = {b.staff: b for b in BadgeStore(store.engine, clock).enrol_demo()}
    assistant = FakeAssistant()
    clients = []
    for _ in range(2):
        app = FastAPI()
        service = mount(
            app, channel_context(settings, assistant, open_store=lambda: store, clock=clock)
        )
        service.stt = lambda: stt
        service.tts = lambda: FakeTTS()
        clients.append(TestClient(app))
    with clients[0] as a, clients[1] as b:
        yield a, b, assistant, badges
    store.close()


def test_kiosk_any_gateway_worker_serves_any_request(two_workers):
    worker_a, worker_b, assistant, badges = two_workers
    badge = badges["n.jones"]
    signed = worker_a.post("/kiosk/api/session", json={"badge": badge.badge_id, "pin": badge.pin})
    assert signed.status_code == 200
    cookie = signed.cookies.get("kiosk_session")
    worker_b.cookies.set("kiosk_session", cookie, path="/kiosk")
    assistant.replies = [
        Reply(
            "Which priority?",
            custom={"kind": "request_help_confirm", "data": {"help_type": "porter"}},
        )
    ]
    turn = worker_b.post("/kiosk/api/text", json={"text": "I need a porter"})
    assert turn.status_code == 200, turn.text
    audio_url = turn.json()["audio_url"]
    assert worker_a.get(audio_url).status_code == 200  # fetched through the other worker
    assert worker_b.get(audio_url).status_code == 404  # once
    assert worker_b.get("/kiosk/api/session").json()["staff"] == "n.jones"
    assert worker_a.delete("/kiosk/api/session").status_code == 200
    worker_b.cookies.set("kiosk_session", cookie, path="/kiosk")
    assert worker_b.get("/kiosk/api/session").status_code == 401  # signed out everywhere
