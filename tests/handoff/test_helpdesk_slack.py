"""The help desk through signed Slack requests: the real bolt app and gateway assistant
(``RasaAssistant`` with a scripted Rasa over httpx.MockTransport), the fake Slack Web API."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest
from fastapi import FastAPI, Request
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from assistant.channels.slack.app import SlackConfig, build_app
from assistant.channels.slack.helpdesk import register_helpdesk
from assistant.config import get_settings
from assistant.gateway.rasa import RasaAssistant
from assistant.handoff.relay import RETURNED, WITHDRAWN
from assistant.handoff.triggers import EscalatingAssistant
from assistant.safety.gateway import SafetyNet, SafetyNetAssistant
from tests.handoff.handoff_kit import HELPDESK, REQUESTER_DM, FakeDirectory, fake_slack, open_ticket

N_JONES, H_LEE = fake_slack.slack_id("n.jones"), fake_slack.slack_id("h.lee")
H_LEE_DM = "D" + H_LEE[1:]


class Harness:
    def __init__(self, service, api):
        self.service, self.api = service, api
        self.rasa_got: list[str] = []
        self.n = 0
        rasa = RasaAssistant(
            workers=["http://rasa.test"],
            signing_key="k" * 32,
            handoff=service,
            transport=httpx.MockTransport(self._rasa),
        )
        escalating = EscalatingAssistant(rasa, service)
        service.attach_assistant(escalating)
        # the gateway's order: safety net first (the real detector), then the rest
        self.assistant = SafetyNetAssistant(escalating, SafetyNet("2222"), desk=service)
        bolt = build_app(
            SlackConfig("xoxb-test", fake_slack.SIGNING_SECRET, api.url),
            assistant=self.assistant,
            directory=FakeDirectory(),
        )
        settings = dataclasses.replace(get_settings(), helpdesk_channel=HELPDESK)
        assert register_helpdesk(bolt, settings, service, directory=FakeDirectory()) is not None
        app = FastAPI()
        handler = AsyncSlackRequestHandler(bolt)

        @app.post("/slack/events")
        async def events(request: Request):  # type: ignore[no-untyped-def]
            return await handler.handle(request)

        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
        )

    def _rasa(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.rasa_got.append(body["message"])
        if "human" in body["message"]:
            ticket = open_ticket(self.service, body["sender"])
            return httpx.Response(
                200,
                json=[
                    {
                        "text": (
                            f"I've asked the help desk to join: your ticket is {ticket.ticket_id}."
                        ),
                        "custom": {
                            "kind": "talk_to_human_success",
                            "data": {"ticket_id": ticket.ticket_id},
                        },
                    }
                ],
            )
        return httpx.Response(200, json=[{"text": f"assistant: {body['message']}"}])

    async def post(self, body: str, ctype: str) -> None:
        headers = {"Content-Type": ctype, **fake_slack.signed_headers(body)}
        response = await self.http.post("/slack/events", content=body, headers=headers)
        assert response.status_code == 200

    async def dm(self, user: str, text: str, thread_ts: str | None = None) -> None:
        self.n += 1
        event = fake_slack.dm_event(user, text, thread_ts)
        await self.post(fake_slack.event_body(event, f"Ev{self.n:04d}"), "application/json")

    async def click(self, user: str, button: dict, channel: str, ts: str) -> None:
        body = fake_slack.block_actions_body(user, button, channel, ts)
        await self.post(body, "application/x-www-form-urlencoded")

    async def wait(self, method, predicate, start=0):
        return await self.api.wait_for_async(method, predicate, timeout=60, start=start)


@pytest.fixture
async def harness(make_worker, slack_api):
    h = Harness(make_worker(), slack_api)
    yield h
    await h.http.aclose()


def _button(params, action_id):
    return next(b for b in fake_slack.buttons_of(params) if b["action_id"] == action_id)


async def test_helpdesk_claim_relay_return_through_slack(harness):
    api = harness.api
    await harness.dm(N_JONES, "I need a human please")
    card = await harness.wait("chat.postMessage", lambda p: p["channel"] == HELPDESK)
    ticket_id = _button(card, "hd_claim")["value"]
    card_ts = harness.service.state.get(ticket_id).card_ts

    await harness.click(H_LEE, _button(card, "hd_claim"), HELPDESK, card_ts)
    await harness.wait("chat.update", lambda p: "Claimed by" in json.dumps(p["blocks"]))
    header = await harness.wait(
        "chat.postMessage", lambda p: p["channel"] == H_LEE_DM and "You claimed" in p["text"]
    )

    mark = len(api.calls)
    await harness.dm(N_JONES, "my printer is broken")
    await harness.wait(
        "chat.postMessage", lambda p: p.get("text", "").startswith("Passed to h.lee"), start=mark
    )
    relay_ts = harness.service.state.get(ticket_id).relay_ts
    await harness.wait(
        "chat.postMessage",
        lambda p: (
            p["channel"] == H_LEE_DM and p.get("thread_ts") == relay_ts and "printer" in p["text"]
        ),
    )

    await harness.dm(H_LEE, "Have you tried turning it off and on?", thread_ts=relay_ts)
    await harness.wait(
        "chat.postMessage",
        lambda p: (
            p["channel"] == REQUESTER_DM
            and p["text"] == "Help desk (h.lee): Have you tried turning it off and on?"
        ),
    )
    assert not [t for t in harness.rasa_got if "printer" in t or "turning" in t]

    await harness.click(H_LEE, _button(header, "hd_return"), H_LEE_DM, "1.0")
    await harness.wait("chat.postMessage", lambda p: p.get("text") == RETURNED)
    assert harness.service.tickets.get(ticket_id).status == "returned"
    await harness.dm(N_JONES, "free beds on 4B")
    await harness.wait("chat.postMessage", lambda p: p.get("text") == "assistant: free beds on 4B")


async def test_helpdesk_claim_refused_without_helpdesk_role(harness, audit):
    ticket = open_ticket(harness.service)
    await harness.service.announce(ticket.ticket_id)
    card = harness.api.calls_to("chat.postMessage")[-1]
    await harness.click(N_JONES, _button(card, "hd_claim"), HELPDESK, "1.0")
    notice = await harness.wait("chat.postEphemeral", lambda p: p["user"] == N_JONES)
    assert "help-desk role" in notice["text"]
    assert harness.service.tickets.get(ticket.ticket_id).status == "open"
    assert audit.events[-1].outcome == "denied"


async def test_helpdesk_second_claim_is_told_who_won(harness):
    ticket = open_ticket(harness.service)
    await harness.service.announce(ticket.ticket_id)
    card = harness.api.calls_to("chat.postMessage")[-1]
    await harness.click(H_LEE, _button(card, "hd_claim"), HELPDESK, "1.0")
    await harness.wait("chat.update", lambda p: "Claimed by" in json.dumps(p["blocks"]))
    evans = fake_slack.slack_id("m.evans")
    await harness.click(evans, _button(card, "hd_claim"), HELPDESK, "1.0")
    notice = await harness.wait("chat.postEphemeral", lambda p: p["user"] == evans)
    assert "already claimed by h.lee" in notice["text"]


async def test_helpdesk_requester_withdraws_through_slack(harness):
    api = harness.api
    await harness.dm(N_JONES, "I need a human please")
    card = await harness.wait("chat.postMessage", lambda p: p["channel"] == HELPDESK)
    ticket_id = _button(card, "hd_claim")["value"]
    mark = len(api.calls)
    await harness.dm(N_JONES, "never mind, sorted it")
    await harness.wait(
        "chat.postMessage",
        lambda p: p.get("text") == WITHDRAWN.format(ticket=ticket_id),
        start=mark,
    )
    update = await harness.wait(
        "chat.update", lambda p: "Withdrawn by the requester" in json.dumps(p["blocks"])
    )
    assert update["channel"] == HELPDESK and not fake_slack.buttons_of(update)
    assert harness.service.tickets.get(ticket_id).status == "withdrawn"
    assert "never mind, sorted it" not in harness.rasa_got
    await harness.dm(N_JONES, "free beds on 4B")  # back with the assistant
    await harness.wait("chat.postMessage", lambda p: p.get("text") == "assistant: free beds on 4B")


async def test_helpdesk_emergency_during_handoff_is_answered_and_flagged(harness):
    api = harness.api
    await harness.dm(N_JONES, "I need a human please")
    card = await harness.wait("chat.postMessage", lambda p: p["channel"] == HELPDESK)
    ticket_id = _button(card, "hd_claim")["value"]
    mark = len(api.calls)
    await harness.dm(N_JONES, "there's a man with a knife in the waiting room")
    answer = await harness.wait(
        "chat.postMessage",
        lambda p: p["channel"] == REQUESTER_DM and "2222" in p["text"],
        start=mark,
    )
    assert answer["text"].startswith("This is an emergency: call 2222 now")
    flag = await harness.wait(
        "chat.postMessage", lambda p: p["channel"] == HELPDESK and "emergency" in p["text"]
    )
    assert flag.get("thread_ts") and flag.get("reply_broadcast")  # on the card, seen by all
    assert "knife" not in flag["text"]  # the kind only, never the message, in the channel
    assert harness.service.tickets.get(ticket_id).status == "open"
    assert not [t for t in harness.rasa_got if "knife" in t or t == "/emergency"]
