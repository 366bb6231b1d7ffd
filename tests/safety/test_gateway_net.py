"""``SafetyNetAssistant`` in front of a fake assistant, and its wiring in the gateway."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import httpx
import pytest

from assistant.config import get_settings
from assistant.conversation import Reply
from assistant.gateway import create_app
from assistant.gateway.rasa import RasaAssistant
from assistant.identity.tokens import InMemoryRevocationList, StaffTokens
from assistant.safety.context import current_level
from assistant.safety.detector import Assessment
from assistant.safety.gateway import SafetyNet, SafetyNetAssistant

KEY = "test-signing-key-0123456789abcdef"
EMERGENCY = "there's a man with a knife in the waiting room"


class FakeAssistant:
    """Records what reaches it (and the safety level it was given)."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.turns: list[tuple[str, str | None]] = []
        self.gate = gate

    async def send(self, *, staff, channel, conversation, text):
        self.turns.append((text, current_level()))
        if self.gate is not None:
            await self.gate.wait()
        if text == "/emergency":
            return [Reply("Rasa's own emergency answer", custom={"kind": "emergency_answer"})]
        return [Reply(f"assistant: {text}")]


class FakeDesk:
    def __init__(self, active: bool) -> None:
        self.active = active
        self.flagged: list[tuple[str, str | None]] = []

    async def emergency(self, staff, channel, conversation, text, kind):
        self.flagged.append((text, kind))
        return self.active


def net(number: str = "5555") -> SafetyNet:
    return SafetyNet(number)


async def say(assistant, text, channel="rest"):
    return await assistant.send(staff="n.jones", channel=channel, conversation="c1", text=text)


async def test_safety_net_emergency_first_reply_is_the_number_and_forms_end():
    inner = FakeAssistant()
    replies = await say(SafetyNetAssistant(inner, net("5555")), EMERGENCY)
    assert len(replies) == 1  # Rasa's duplicate answer is dropped
    first = replies[0]
    assert first.text.startswith("This is an emergency: call 5555 now")
    assert first.custom == {
        "phi": False,
        "kind": "emergency_answer",
        "data": {"number": "5555", "emergency": "weapon"},
    }
    assert inner.turns == [("/emergency", "emergency")]  # the text itself never went on


async def test_safety_net_caution_is_prepended_and_the_text_goes_on():
    inner = FakeAssistant()
    replies = await say(SafetyNetAssistant(inner, net()), "what do I do if there's a fire")
    assert [r.custom["kind"] for r in replies[:1]] == ["emergency_caution"]
    assert replies[0].custom["data"] == {"number": "5555"}
    assert replies[0].text == "If this is an emergency, call 5555 now."
    assert replies[1].text == "assistant: what do I do if there's a fire"
    assert inner.turns == [("what do I do if there's a fire", "caution")]


async def test_safety_net_normal_message_goes_on_marked_none():
    inner = FakeAssistant()
    replies = await say(SafetyNetAssistant(inner, net()), "book a chest pain clinic follow-up")
    assert [r.text for r in replies] == ["assistant: book a chest pain clinic follow-up"]
    assert inner.turns == [("book a chest pain clinic follow-up", "none")]


@pytest.mark.parametrize("channel", ["rest", "slack", "kiosk"])
async def test_safety_net_answers_every_channel(channel):
    inner = FakeAssistant()
    replies = await say(SafetyNetAssistant(inner, net()), "smoke coming from the sluice", channel)
    assert replies[0].custom["kind"] == "emergency_answer"


async def test_safety_net_emergency_during_handoff_is_flagged_not_sent_to_rasa():
    inner, desk = FakeAssistant(), FakeDesk(active=True)
    replies = await say(SafetyNetAssistant(inner, net(), desk=desk), EMERGENCY)
    assert replies[0].custom["kind"] == "emergency_answer"
    assert desk.flagged == [(EMERGENCY, "weapon")]
    assert inner.turns == []  # the conversation is with the help desk


async def test_safety_net_emergency_without_handoff_still_ends_the_form():
    inner, desk = FakeAssistant(), FakeDesk(active=False)
    await say(SafetyNetAssistant(inner, net(), desk=desk), EMERGENCY)
    assert inner.turns == [("/emergency", "emergency")]


async def test_safety_net_slow_assistant_does_not_hold_up_the_answer():
    gate = asyncio.Event()
    inner = FakeAssistant(gate)
    assistant = SafetyNetAssistant(inner, net(), forward_seconds=0.05)
    replies = await say(assistant, EMERGENCY)
    assert replies[0].custom["kind"] == "emergency_answer"
    assert inner.turns == [("/emergency", "emergency")]  # sent, still waiting for Rasa
    gate.set()
    await asyncio.gather(*assistant._pending)


async def test_safety_net_broken_detector_gives_the_number_on_every_message():
    def broken():
        raise RuntimeError("no model")

    inner = FakeAssistant()
    replies = await say(SafetyNetAssistant(inner, SafetyNet("5555", broken)), "free beds on 4B")
    assert replies[0].custom["kind"] == "emergency_caution"
    assert replies[1].text == "assistant: free beds on 4B"


async def test_safety_net_reaches_rasa_as_metadata_without_phi():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return httpx.Response(200, json=[{"text": "ok"}])

    rasa = RasaAssistant(
        workers=["http://rasa"], signing_key=KEY, transport=httpx.MockTransport(handler)
    )
    assistant = SafetyNetAssistant(rasa, net())
    await say(assistant, "free beds on 4B")
    await say(assistant, "cardiac arrest bay 3")
    assert [(c["message"], c["metadata"]["safety"]) for c in calls] == [
        ("free beds on 4B", "none"),
        ("/emergency", "emergency"),
    ]
    assert set(calls[0]["metadata"]) == {"principal", "safety"}


def test_safety_assessment_is_plain_data():
    assert Assessment("none").is_emergency is False
    assert Assessment("emergency", "fire").is_emergency


# -- the gateway: wiring and rate limits -------------------------------------------------------


class Directory:
    async def is_active_staff(self, username):
        return username == "n.jones"


def gateway(tmp_path, assistant, **limits):
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        signing_key=KEY,
        redis_url=None,
        emergency_number="7777",
        **{name.lower(): value for name, value in limits.items()},
    )
    tokens = StaffTokens(KEY, revocations=InMemoryRevocationList(), directory=Directory())
    app = create_app(
        settings,
        assistant=assistant,
        tokens=tokens,
        channels=("rest", "kiosk"),
        health_checks={},
    )
    return app, tokens.issue("n.jones")


async def post(app, path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        return await client.post(path, json=body, headers=headers)


async def test_gateway_answers_emergencies_with_the_settings_number(tmp_path):
    inner = FakeAssistant()
    app, token = gateway(tmp_path, inner, RATE_LIMIT_USER="off", RATE_LIMIT_IP="off")
    response = await post(app, "/api/v1/messages", {"text": EMERGENCY}, token)
    first = response.json()["replies"][0]
    assert first["custom"]["kind"] == "emergency_answer" and "7777" in first["text"]
    assert inner.turns == [("/emergency", "emergency")]


async def test_gateway_rate_limit_never_blocks_an_emergency_answer(tmp_path):
    inner = FakeAssistant()
    app, token = gateway(tmp_path, inner, RATE_LIMIT_USER="1/minute", RATE_LIMIT_IP="off")
    assert (await post(app, "/api/v1/messages", {"text": "hi"}, token)).status_code == 200
    refused = await post(app, "/api/v1/messages", {"text": "free beds on 4B"}, token)
    assert refused.status_code == 429
    body = {"text": "someone's collapsed outside the lift", "conversation_id": "c-9"}
    rescued = await post(app, "/api/v1/messages", body, token)
    assert rescued.status_code == 200
    assert rescued.json()["conversation_id"] == "c-9"
    assert rescued.json()["replies"][0]["custom"]["kind"] == "emergency_answer"
    assert [t for t, _ in inner.turns] == ["hi"]  # over the limit nothing reaches Rasa


async def test_gateway_kiosk_emergency_over_the_address_limit_is_answered(tmp_path):
    app, _ = gateway(tmp_path, FakeAssistant(), RATE_LIMIT_IP="1/minute", RATE_LIMIT_USER="off")
    await post(app, "/kiosk/api/text", {"text": "hello"})
    assert (await post(app, "/kiosk/api/text", {"text": "hello"})).status_code == 429
    rescued = await post(app, "/kiosk/api/text", {"text": "fire in the sluice"})
    assert rescued.status_code == 200
    assert "7777" in rescued.json()["replies"][0]["text"]


class FakeReported:
    """Answers whether the open question asks what happened; records who was asked."""

    def __init__(self, answer: bool | Exception) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str, str]] = []

    async def __call__(self, staff, channel, conversation):
        self.asked.append((staff, channel, conversation))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


REASON = "patient collapsed earlier, need his notes"  # the classifier: an emergency
STRONG = "query stroke, reviewing scan"  # a strong cue: an emergency


async def test_safety_net_a_strong_cue_in_a_breakglass_reason_is_a_caution_and_taken():
    # "query stroke" as the reason for emergency access: the number, then the reason
    # reaches the form (an emergency would end it and make emergency access impossible)
    inner, reported = FakeAssistant(), FakeReported(True)
    replies = await say(SafetyNetAssistant(inner, net("5555"), reported=reported), STRONG)
    assert replies[0].custom["kind"] == "emergency_caution" and "5555" in replies[0].text
    assert replies[1].text == f"assistant: {STRONG}"
    assert inner.turns == [(STRONG, "caution")]
    assert reported.asked == [("n.jones", "rest", "c1")]


@pytest.mark.parametrize("text", [REASON, "patient deteriorating rapidly, need to review"])
async def test_safety_net_clinical_wording_of_a_breakglass_reason_is_no_verdict(text):
    # what only the classifier or a weak cue found in a reason: the reason, nothing else
    inner = FakeAssistant()
    assistant = SafetyNetAssistant(inner, net("5555"), reported=FakeReported(True))
    replies = await say(assistant, text)
    assert [r.text for r in replies] == [f"assistant: {text}"]
    assert inner.turns == [(text, "none")]


async def test_safety_net_broken_in_a_breakglass_reason_still_gives_the_number():
    class Broken:
        def assess(self, text):
            raise RuntimeError("model missing")

    inner = FakeAssistant()
    broken = SafetyNet("5555", detector=lambda: Broken())  # type: ignore[arg-type,return-value]
    assistant = SafetyNetAssistant(inner, broken, reported=FakeReported(True))
    replies = await say(assistant, REASON)
    assert replies[0].custom["kind"] == "emergency_caution"


@pytest.mark.parametrize("answer", [False, RuntimeError("rasa down")])
async def test_safety_net_emergency_outside_a_reported_question_stays_an_emergency(answer):
    inner, reported = FakeAssistant(), FakeReported(answer)
    replies = await say(SafetyNetAssistant(inner, net("5555"), reported=reported), REASON)
    assert [r.custom["kind"] for r in replies] == ["emergency_answer"]
    assert inner.turns == [("/emergency", "emergency")]


async def test_safety_net_asks_the_open_question_only_for_an_emergency():
    reported = FakeReported(True)
    assistant = SafetyNetAssistant(FakeAssistant(), net(), reported=reported)
    await say(assistant, "any free beds on 4B?")
    await say(assistant, "what do I do if there's a fire")
    assert reported.asked == []


async def test_reported_question_reads_the_breakglass_reason_from_the_tracker():
    from assistant.gateway.rasa import sender_id
    from assistant.gateway.rasa_api import RasaApi
    from assistant.gateway.reported import ReportedQuestion

    def tracker(loop, requested):
        def handler(request: httpx.Request) -> httpx.Response:
            sender = sender_id("rest", "dr.patel", "c9")
            body = {
                "sender_id": sender,
                "active_loop": loop,
                "slots": {"requested_slot": requested},
            }
            return httpx.Response(200, json=body)

        return httpx.MockTransport(handler)

    cases = [
        ({"name": "breakglass_form"}, "breakglass_reason", True),
        ({"name": "request_help_form"}, "help_description", False),
        ({}, "breakglass_reason", False),
    ]
    for loop, requested, expected in cases:
        api = RasaApi(["http://rasa:5005"], "t", transport=tracker(loop, requested))
        probe = ReportedQuestion(api, frozenset({"breakglass_reason"}))
        assert await probe("dr.patel", "rest", "c9") is expected
        await probe.aclose()


SPILL = "blood on the floor by bed 4"


async def test_safety_net_a_spill_described_for_housekeeping_is_a_caution_and_taken():
    # the description of a housekeeping request: a mess to clean (the fall cue "on the
    # floor" fired) - the number, then the description reaches the form
    inner, cleaning = FakeAssistant(), FakeReported(True)
    assistant = SafetyNetAssistant(inner, net("5555"), cleaning=cleaning)
    replies = await say(assistant, SPILL)
    assert replies[0].custom["kind"] == "emergency_caution" and "5555" in replies[0].text
    assert inner.turns == [(SPILL, "caution")]


@pytest.mark.parametrize(
    "text, cleaning",
    [
        (SPILL, False),  # not while a housekeeping request asks what is needed
        (SPILL, RuntimeError("rasa down")),
        ("blood on the floor, he is bleeding from his line", True),
        ("blood on the floor by bed 4, she fell", True),
        ("patient on the floor by bed 4", True),
        ("loads of blood on the floor", True),
    ],
)
async def test_safety_net_a_person_or_harm_on_the_floor_stays_an_emergency(text, cleaning):
    inner = FakeAssistant()
    assistant = SafetyNetAssistant(inner, net("5555"), cleaning=FakeReported(cleaning))
    replies = await say(assistant, text)
    assert [r.custom["kind"] for r in replies] == ["emergency_answer"]
