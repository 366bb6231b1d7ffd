"""RASA_IN_FLIGHT: a gateway has at most that many messages in Rasa at once; the rest wait
first come first served, and one that waits past the timeout gets the unavailable answer."""

from __future__ import annotations

import asyncio

import httpx

from assistant.config import get_settings
from assistant.gateway.rasa import UNAVAILABLE_KIND, RasaAssistant

KEY = "test-signing-key"
WORKERS = ["http://rasa-1:5005", "http://rasa-2:5005"]


class SlowRasa(httpx.AsyncBaseTransport):
    """Answers each message once released; records how many were in it at once and the
    order they arrived in."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.order: list[str] = []
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import json

        self.inside += 1
        self.most = max(self.most, self.inside)
        self.order.append(json.loads(request.content)["message"])
        await self.release.wait()
        await asyncio.sleep(0)
        self.inside -= 1
        return httpx.Response(200, json=[{"text": "ok"}])


def _assistant(rasa: SlowRasa, in_flight: int, timeout: float = 30.0) -> RasaAssistant:
    return RasaAssistant(
        workers=WORKERS, signing_key=KEY, transport=rasa, in_flight=in_flight, timeout=timeout
    )


async def _send(assistant: RasaAssistant, number: int) -> list:
    return await assistant.send(
        staff="n.jones", channel="rest", conversation=f"c{number}", text=f"message {number}"
    )


async def test_in_flight_at_most_n_in_rasa_and_the_rest_in_arrival_order():
    rasa = SlowRasa()
    assistant = _assistant(rasa, in_flight=3)
    sends = []
    for number in range(8):  # each a conversation of its own, over both workers
        sends.append(asyncio.create_task(_send(assistant, number)))
        await asyncio.sleep(0.01)
    assert rasa.inside == 3  # the other five wait in the gateway
    rasa.release.set()
    answers = await asyncio.gather(*sends)
    assert all(a[0].text == "ok" for a in answers)  # nothing lost
    assert rasa.most == 3
    assert rasa.order == [f"message {n}" for n in range(8)]  # first come, first served


async def test_in_flight_zero_is_no_limit():
    rasa = SlowRasa()
    assistant = _assistant(rasa, in_flight=0)
    sends = [asyncio.create_task(_send(assistant, n)) for n in range(8)]
    await asyncio.sleep(0.05)
    assert rasa.inside == 8
    rasa.release.set()
    await asyncio.gather(*sends)


async def test_in_flight_waiting_past_the_timeout_is_unavailable_not_an_error():
    rasa = SlowRasa()
    assistant = _assistant(rasa, in_flight=1, timeout=0.2)
    first = asyncio.create_task(_send(assistant, 1))
    await asyncio.sleep(0.01)
    second = await _send(assistant, 2)  # waits 0.2 s for a turn that never comes
    assert second[-1].kind == UNAVAILABLE_KIND
    assert rasa.order == ["message 1"]  # never sent to Rasa
    rasa.release.set()
    assert (await first)[0].text == "ok"  # the one in Rasa is answered


def test_in_flight_setting(monkeypatch):
    monkeypatch.delenv("RASA_IN_FLIGHT", raising=False)
    assert get_settings().rasa_in_flight == 6
    monkeypatch.setenv("RASA_IN_FLIGHT", "0")
    assert get_settings().rasa_in_flight == 0
    monkeypatch.setenv("RASA_IN_FLIGHT", "lots")
    assert get_settings().rasa_in_flight == 6
