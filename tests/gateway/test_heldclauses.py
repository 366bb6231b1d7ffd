"""Requests held back in one message, kept where any gateway worker finds them.

In process by default; with ``REDIS_URL`` in a real redis-server, encrypted, so a
message that reaches another gateway worker (the scale profile) still gets the offer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from assistant.conversation import Button, Reply, current_message_id
from assistant.crypto import DataCipher
from assistant.gateway.heldclauses import (
    HELD_TTL_SECONDS,
    MAX_TURNS,
    HeldClauses,
    RedisHeld,
    held_clauses,
)
from assistant.gateway.rasa import RasaAssistant

KEY = "test-signing-key"
ASK = [Reply("Which one?", custom={"kind": "book_appointment_offer"})]
DONE = [
    Reply(
        "Booked: E.L. (MRN ending 6509), ENT Clinic, Fri 4 Dec at 10:40.",
        custom={"kind": "book_appointment_success"},
    )
]


class Split:
    async def split(self, sender: str, text: str) -> list[str]:
        return text.split(" and ")

    async def aclose(self) -> None:
        pass


def booking_rasa(sent: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)["message"]
        sent.append(message)
        if message == "yes":
            kind = "book_appointment_success"
            text = "Booked: E.L. (MRN ending 6509), ENT Clinic, Fri 4 Dec at 10:40."
        elif message.startswith("book"):
            kind, text = "book_appointment_offer", "Free ENT Clinic slots: ... Which one?"
        else:
            kind, text = "book_appointment_confirm", "Book E.L. at 10:40?"
        return httpx.Response(200, json=[{"text": text, "custom": {"kind": kind}}])

    return httpx.MockTransport(handler)


def worker(held: HeldClauses, sent: list[str]) -> RasaAssistant:
    return RasaAssistant(
        workers=["http://rasa:5005"],
        signing_key=KEY,
        transport=booking_rasa(sent),
        clauses=Split(),
        held=held,
    )


def speaker(sent: list[str]) -> Callable[[RasaAssistant, str], Any]:
    async def say(assistant: RasaAssistant, text: str) -> list[Reply]:
        token = current_message_id.set(f"m-{len(sent)}-{text}")
        try:
            return await assistant.send(
                staff="n.jones", channel="rest", conversation="c1", text=text
            )
        finally:
            current_message_id.reset(token)

    return say


async def test_held_clauses_offered_once_the_question_is_answered_in_process():
    held = HeldClauses()
    first = await held.hold("s1", ["get a porter"])
    assert first.kind == "clause_held"
    assert await held.after("s1", ASK) == []  # still asking: kept
    offers = await held.after("s1", DONE)
    assert [r.kind for r in offers] == ["clause_offer"]
    assert offers[0].buttons[0].payload == "get a porter for ENT Clinic, Fri 4 Dec at 10:40"
    assert await held.after("s1", DONE) == []  # offered once


async def test_held_clauses_lapse_after_max_turns_of_questions():
    held = HeldClauses()
    await held.hold("s1", ["get a porter"])
    for _ in range(MAX_TURNS):
        assert await held.after("s1", ASK) == []
    assert await held.after("s1", DONE) == []  # lapsed: nothing offered


def test_held_clauses_in_process_without_redis():
    held = held_clauses(SimpleNamespace(redis_url=None))
    assert not isinstance(held._store, RedisHeld)


@pytest.mark.redis
async def test_held_clauses_in_redis_reach_another_gateway_worker_encrypted(redis_url):
    # the scale profile: "book ... and get a porter" on worker A, the answer to the
    # booking's question on worker B - the porter request must still be offered
    client = aioredis.from_url(redis_url, decode_responses=True)
    await client.flushdb()
    settings = SimpleNamespace(redis_url=redis_url, data_key=Fernet.generate_key().decode())
    sent: list[str] = []
    say = speaker(sent)
    worker_a = worker(held_clauses(settings), sent)
    worker_b = worker(held_clauses(settings), sent)
    assert isinstance(worker_a.held._store, RedisHeld)

    first = await say(worker_a, "book EL into ent friday and get a porter to take her there")
    assert [r.kind for r in first] == ["book_appointment_offer", "clause_held"]
    keys = await client.keys("hms:held:*")
    assert len(keys) == 1
    stored = await client.get(keys[0])
    assert (
        stored is not None and "porter" not in stored
    )  # encrypted at rest (a held request can name a patient)
    assert 0 < await client.ttl(keys[0]) <= HELD_TTL_SECONDS

    assert [r.kind for r in await say(worker_b, "the 10:40")] == ["book_appointment_confirm"]
    done = await say(worker_b, "yes")
    assert [r.kind for r in done] == ["book_appointment_success", "clause_offer"]
    assert "porter" in done[-1].buttons[0].payload
    # held no more; the offer is kept for the next message only, so a typed yes on the
    # other worker sends the offered request as its button would
    assert await client.keys("hms:held:*") == ["hms:held:rest:n.jones:c1:offered"]
    await say(worker_a, "yes")
    assert sent[-1] == "get a porter to take her there for ENT Clinic, Fri 4 Dec at 10:40"
    assert await client.keys("hms:held:*") == []
    await worker_a.aclose()
    await worker_b.aclose()
    await client.aclose()


@pytest.mark.redis
async def test_held_clauses_redis_value_unreadable_with_another_key(redis_url):
    client = aioredis.from_url(redis_url, decode_responses=True)
    await client.flushdb()
    mine = RedisHeld(client, DataCipher([Fernet.generate_key().decode()]))
    await HeldClauses(mine).hold("s1", ["get a porter for Emily Lloyd"])
    raw = await client.get("hms:held:s1")
    assert raw is not None and "Emily" not in raw
    found = await mine.get("s1")
    assert found is not None and found.clauses == ("get a porter for Emily Lloyd",)
    await client.aclose()


async def test_held_clauses_a_typed_yes_presses_the_one_button_of_a_question():
    # "ICU Bed 1 was changed just before; put it back to free?" then "yes": it was
    # "Sorry, I didn't get that"
    held = HeldClauses()
    payload = '/update_bed_status{"ward":"ICU","bed":"1","bed_status":"U"}'
    question = Reply(
        "Done: ICU Bed 16 is now closed. ICU Bed 1 was changed just before; put it back?",
        buttons=(Button("Put ICU Bed 1 back to free", payload),),
    )
    await held.offer_one("s1", [question])
    assert await held.accepted("s1", "yes") == payload
    assert await held.accepted("s1", "yes") is None  # the next message only
    await held.offer_one("s1", [question])
    assert await held.accepted("s1", "free beds on icu") is None
    assert await held.accepted("s1", "yes") is None
    # no question, several buttons, or a button without details: nothing to press
    for reply in (
        Reply("Done.", buttons=(Button("Undo", payload),)),
        Reply("Which one?", buttons=(Button("A", payload), Button("B", payload))),
        Reply("Shall we carry on?", buttons=(Button("Yes", "/affirm"),)),
    ):
        await held.offer_one("s1", [reply])
        assert await held.accepted("s1", "yes") is None
