"""Rasa's only way in is the gateway's channel: credential required, a message runs once.

Against the real stack (trained model). The local-attacker tier (tests/security) checks
the same from another user id.
"""

import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.stack


def _rasa(stack) -> str:
    return stack.urls["rasa"].split(",")[0]


def _body(text: str, message_id: str | None = None) -> dict:
    body = {"sender": f"rest:n.jones:{uuid.uuid4().hex}", "message": text, "metadata": {}}
    if message_id:
        body["message_id"] = message_id
    return body


def test_rasa_plain_rest_webhook_is_not_served(stack):
    for worker in stack.urls["rasa"].split(","):
        response = httpx.post(f"{worker}/webhooks/rest/webhook", json=_body("hello"), timeout=30)
        assert response.status_code == 404, response.text


def test_rasa_gateway_channel_refuses_without_the_gateway_credential(stack):
    url = f"{_rasa(stack)}/webhooks/gateway/webhook"
    assert httpx.post(url, json=_body("hello"), timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert httpx.post(url, json=_body("hello"), headers=wrong, timeout=30).status_code == 401
    basic = {"Authorization": f"Basic {stack.env['RASA_WEBHOOK_TOKEN']}"}
    assert httpx.post(url, json=_body("hello"), headers=basic, timeout=30).status_code == 401


def test_rasa_gateway_channel_runs_a_message_id_once_and_replays_its_answer(stack):
    url = f"{_rasa(stack)}/webhooks/gateway/webhook"
    auth = {"Authorization": f"Bearer {stack.env['RASA_WEBHOOK_TOKEN']}"}
    body = _body("hello", message_id=uuid.uuid4().hex)
    first = httpx.post(url, json=body, headers=auth, timeout=60)
    again = httpx.post(url, json=body, headers=auth, timeout=60)
    assert first.status_code == again.status_code == 200
    assert first.json() and again.json() == first.json()
    tracker = httpx.get(
        f"{url.split('/webhooks')[0]}/conversations/{body['sender']}/tracker",
        params={"token": stack.env["RASA_AUTH_TOKEN"]},
        timeout=30,
    ).json()
    users = [e for e in tracker["events"] if e["event"] == "user"]
    assert len(users) == 1 and users[0]["message_id"] == body["message_id"]


def test_rest_message_id_retry_is_answered_once(stack):
    token = stack.token("n.jones")
    body = {"text": "how many free beds on 4B", "message_id": uuid.uuid4().hex}
    headers = {"Authorization": f"Bearer {token}"}
    first = httpx.post(stack.urls["rest"], json=body, headers=headers, timeout=60).json()
    body["conversation_id"] = first["conversation_id"]
    again = httpx.post(stack.urls["rest"], json=body, headers=headers, timeout=60).json()

    def assistant_replies(data: dict) -> list:  # not the gateway's one-time welcome
        return [
            r
            for r in data["replies"]
            if (r.get("custom") or {}).get("kind") != "onboarding_welcome"
        ]

    assert assistant_replies(again) == assistant_replies(first) != []


def test_stack_processes_have_no_secret_on_their_command_line(stack):
    secrets = [v for k, v in stack.stack.secrets.items() if v]
    for proc in stack.stack.procs:
        cmdline = (Path("/proc") / str(proc.pid) / "cmdline").read_bytes().decode(errors="replace")
        assert not [s for s in secrets if s in cmdline], proc.name
