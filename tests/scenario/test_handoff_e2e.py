"""Handoff end to end over the real stack (HMS, Rasa with the trained model, action server,
assistant store): the REST requester asks for a human, the action opens the ticket, the card
is posted in the help-desk channel (fake Slack Web API), h.lee claims it with a signed
block action, messages are relayed both ways, h.lee returns the conversation and the
assistant answers again, resuming the form that was half filled.

The gateway here is built in-process with ``create_app`` over the stack's settings (same
Rasa, HMS and store as the stack's own gateway process) with the ``HandoffService`` and the
Slack help desk wired as ``docs/handoff.md`` describes.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from assistant.channels.slack.mount import mount as slack_mount
from assistant.config import get_settings
from assistant.gateway.app import create_app
from assistant.gateway.rasa import RasaAssistant
from assistant.handoff.factory import build_handoff
from assistant.handoff.relay import PASSED, RETURNED, STILL_WAITING, WITHDRAW_HINT
from assistant.handoff.triggers import EscalatingAssistant
from assistant.store import open_store
from tests.fakes import slack_api as slack

pytestmark = pytest.mark.stack
HELPDESK = "C0HELPDESK"


@pytest.fixture
async def gateway(stack, monkeypatch):
    for key, value in stack.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HELPDESK_CHANNEL", HELPDESK)
    settings = get_settings()
    store = open_store(settings)
    service = build_handoff(settings, store)
    rasa = RasaAssistant(
        workers=settings.rasa_urls,
        signing_key=settings.principal_key,
        handoff=service,
        webhook_token=settings.rasa_webhook_token,
    )
    assistant = EscalatingAssistant(rasa, service)
    service.attach_assistant(assistant)
    app = create_app(settings, assistant=assistant, handoff=service, channels=("rest",))
    bolt = slack_mount(app, app.state.ctx)  # registers the help desk (the assistant's service)
    assert bolt is not None and service.desk is not None and "slack" in service.requesters
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.test", timeout=60
    )
    yield client, service, stack
    await client.aclose()
    await rasa.aclose()
    await service.aclose()
    store.close()


async def _rest(client, stack, text, conversation=None):
    body = {"text": text, **({"conversation_id": conversation} if conversation else {})}
    response = await client.post(
        "/api/v1/messages", json=body, headers={"Authorization": f"Bearer {stack.token('n.jones')}"}
    )
    response.raise_for_status()
    data = response.json()
    return data["conversation_id"], [r.get("text", "") for r in data["replies"]]


async def _signed(client, body, ctype):
    headers = {"Content-Type": ctype, **slack.signed_headers(body)}
    assert (await client.post("/slack/events", content=body, headers=headers)).status_code == 200


async def test_handoff_rest_to_slack_helpdesk_and_back(gateway):
    client, service, stack = gateway
    fake = stack.fake_slack
    mark = len(fake.calls)

    conversation, replies = await _rest(client, stack, "book an appointment")
    assert any("name" in r.lower() for r in replies)  # the form asks for the patient
    _, replies = await _rest(client, stack, "/talk_to_human", conversation)
    assert any("HD-" in r for r in replies)
    card = await fake.wait_for_async(
        "chat.postMessage", lambda p: p.get("channel") == HELPDESK, start=mark, timeout=30
    )
    claim = next(b for b in slack.buttons_of(card) if b["action_id"] == "hd_claim")
    ticket_id = claim["value"]
    assert service.tickets.get(ticket_id).summary.get("active_form") == "book_appointment_form"

    _, replies = await _rest(client, stack, "the booking screen froze", conversation)
    assert replies == [PASSED.format(ticket=ticket_id) + WITHDRAW_HINT]  # Rasa stays silent
    _, replies = await _rest(client, stack, "still frozen", conversation)
    assert replies == [STILL_WAITING.format(ticket=ticket_id)]  # a short answer every time

    h_lee = slack.slack_id("h.lee")
    card_ts = service.state.get(ticket_id).card_ts
    await _signed(
        client,
        slack.block_actions_body(h_lee, claim, HELPDESK, card_ts),
        "application/x-www-form-urlencoded",
    )
    await fake.wait_for_async(
        "chat.update", lambda p: "Claimed by" in json.dumps(p["blocks"]), start=mark, timeout=30
    )
    # the relay thread is opened after the card is updated: wait for the relayed message
    relayed = await fake.wait_for_async(
        "chat.postMessage",
        lambda p: bool(p.get("thread_ts")) and "still" in p["text"],
        start=mark,
        timeout=30,
    )
    relay_ts = relayed["thread_ts"]
    assert relay_ts == service.state.get(ticket_id).relay_ts
    assert relayed["channel"] == "D" + h_lee[1:]

    await _signed(
        client,
        slack.event_body(slack.dm_event(h_lee, "Reload the page", relay_ts), "EvHandoff1"),
        "application/json",
    )
    sender = f"rest:n.jones:{conversation}"
    inbox: list = []
    for _ in range(300):
        inbox += await service.inbox.pull(sender)
        if any("Reload the page" in i["text"] for i in inbox):
            break
        await asyncio.sleep(0.05)
    assert "Help desk (h.lee): Reload the page" in [i["text"] for i in inbox]

    header = await fake.wait_for_async(
        "chat.postMessage", lambda p: "You claimed" in (p.get("text") or ""), start=mark
    )
    back = next(b for b in slack.buttons_of(header) if b["action_id"] == "hd_return")
    await _signed(
        client,
        slack.block_actions_body(h_lee, back, header["channel"], "1.0"),
        "application/x-www-form-urlencoded",
    )
    for _ in range(600):
        inbox += await service.inbox.pull(sender)
        texts = [i["text"] for i in inbox]
        if RETURNED in texts and texts[texts.index(RETURNED) + 1 :]:
            break  # told, and the resumed form's question arrived after it
        await asyncio.sleep(0.05)
    texts = [i["text"] for i in inbox]
    assert RETURNED in texts
    assert any("name" in t.lower() for t in texts[texts.index(RETURNED) + 1 :])  # form resumed
    _, replies = await _rest(client, stack, "show me free beds on ward 4B", conversation)
    assert replies and not [r for r in replies if "help desk" in r] and any(replies)
