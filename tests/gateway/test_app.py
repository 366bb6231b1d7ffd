import dataclasses
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from assistant.channels import rest
from assistant.config import get_settings
from assistant.conversation import Button, Reply
from assistant.gateway import create_app
from assistant.gateway.rasa import RasaAssistant
from assistant.identity.tokens import InMemoryRevocationList, StaffTokens
from tests.fakes.gateway import channel_context

KEY = "test-signing-key-0123456789abcdef"


class EchoAssistant:
    def __init__(self):
        self.calls = []

    async def send(self, *, staff, channel, conversation, text):
        self.calls.append((staff, channel, conversation, text))
        return [Reply(f"echo {text}", (Button("Yes", "/affirm"),)), Reply("done")]


class Directory:
    async def is_active_staff(self, username):
        return username in {"n.jones", "p.kim"}


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    return dataclasses.replace(get_settings(), signing_key=KEY)


@pytest.fixture
def tokens():
    return StaffTokens(KEY, revocations=InMemoryRevocationList(), directory=Directory())


@pytest.fixture
def assistant():
    return EchoAssistant()


def ok_check():
    async def check():
        return None

    return check


def down_check():
    async def check():
        raise httpx.ConnectError("refused")

    return check


def client_for(app):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


@pytest.fixture
def app(settings, tokens, assistant):
    return create_app(
        settings,
        assistant=assistant,
        tokens=tokens,
        health_checks={"hms": ok_check()},
        channels=("rest",),
    )


async def post(app, body, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with client_for(app) as client:
        if isinstance(body, (bytes, str)):
            headers = headers | {"Content-Type": "application/json"}
            return await client.post("/api/v1/messages", content=body, headers=headers)
        return await client.post("/api/v1/messages", json=body, headers=headers)


async def test_rest_message_gets_replies_and_new_conversation(app, tokens, assistant):
    response = await post(app, {"text": "hello"}, tokens.issue("n.jones"))
    assert response.status_code == 200
    body = response.json()
    assert len(body["conversation_id"]) == 32
    assert body["replies"] == [
        {"text": "echo hello", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"text": "done"},
    ]
    assert assistant.calls == [("n.jones", "rest", body["conversation_id"], "hello")]


async def test_rest_message_keeps_given_conversation(app, tokens, assistant):
    response = await post(app, {"text": "hi", "conversation_id": "abc-1"}, tokens.issue("n.jones"))
    assert response.json()["conversation_id"] == "abc-1"
    assert assistant.calls[0][2] == "abc-1"


@pytest.mark.parametrize("header", [None, "Basic abc", "Bearer ", "Bearer garbage"])
async def test_rest_message_without_valid_token_401(app, header, assistant):
    async with client_for(app) as client:
        headers = {"Authorization": header} if header else {}
        response = await client.post("/api/v1/messages", json={"text": "hi"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert assistant.calls == []


async def test_rest_message_expired_token_401(app, assistant):
    from assistant.identity.tokens import issue_token

    token = issue_token(KEY, "n.jones", ttl=10, now=1_000_000)
    response = await post(app, {"text": "hi"}, token)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_rest_message_revoked_token_401(app, tokens, assistant):
    token = tokens.issue("n.jones")
    await tokens.revoke(token)
    response = await post(app, {"text": "hi"}, token)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


async def test_rest_message_unknown_staff_401(app, tokens):
    response = await post(app, {"text": "hi"}, tokens.issue("x.nobody"))
    assert response.status_code == 401


async def test_rest_message_text_too_long_413(app, tokens, assistant):
    response = await post(app, {"text": "a" * 2001}, tokens.issue("n.jones"))
    assert response.status_code == 413
    assert assistant.calls == []


async def test_rest_message_text_at_limit_accepted(app, tokens):
    response = await post(app, {"text": "a" * 2000}, tokens.issue("n.jones"))
    assert response.status_code == 200


async def test_rest_message_body_too_large_413(app, tokens):
    body = b'{"text": "x", "pad": "' + b"a" * 70_000 + b'"}'
    response = await post(app, body, tokens.issue("n.jones"))
    assert response.status_code == 413


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b""])
async def test_rest_message_not_json_object_400(app, tokens, raw):
    response = await post(app, raw, tokens.issue("n.jones"))
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": 5},
        {"text": "hi", "conversation_id": "../etc"},
        {"text": "hi", "conversation_id": "x" * 65},
    ],
)
async def test_rest_message_bad_fields_422(app, tokens, body, assistant):
    response = await post(app, body, tokens.issue("n.jones"))
    assert response.status_code == 422
    assert assistant.calls == []


async def test_healthz_ok_when_dependencies_up(app):
    async with client_for(app) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"hms": "ok"}


async def test_healthz_503_names_dependency_down(settings, tokens, assistant):
    app = create_app(
        settings,
        assistant=assistant,
        tokens=tokens,
        health_checks={"hms": ok_check(), "rasa": down_check()},
        channels=("rest",),
    )
    async with client_for(app) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["rasa"]
    assert response.json()["checks"]["rasa"].startswith("down")


async def test_healthz_default_checks_report_unreachable_services(tmp_path, monkeypatch, tokens):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for name in ("HMS_PORT", "RASA_PORT", "ACTION_PORT"):
        monkeypatch.setenv(name, str(port))
    for name in ("HMS_BASE_URL", "RASA_URLS", "ACTION_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = dataclasses.replace(get_settings(), signing_key=KEY)
    app = create_app(settings, assistant=EchoAssistant(), tokens=tokens, channels=())
    async with client_for(app) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert set(response.json()["down"]) == {"hms", "rasa", "actions"}


def test_create_app_skips_missing_channel(settings, tokens, assistant):
    app = create_app(
        settings, assistant=assistant, tokens=tokens, health_checks={}, channels=("rest", "nope")
    )
    assert app.state.channels == ["rest"]


async def test_rest_message_hms_down_during_token_check_503(settings, assistant):
    from assistant.hms.errors import Unavailable
    from assistant.identity.tokens import HmsStaffDirectory

    class DownHms:
        async def find_staff(self, username=None, email=None):
            raise Unavailable("HMS GET /Practitioner failed: ConnectError")

    tokens = StaffTokens(
        KEY, revocations=InMemoryRevocationList(), directory=HmsStaffDirectory(DownHms())
    )
    app = create_app(
        settings, assistant=assistant, tokens=tokens, health_checks={}, channels=("rest",)
    )
    response = await post(app, {"text": "hi"}, tokens.issue("n.jones"))
    assert response.status_code == 503
    assert "HMS" in response.json()["detail"]
    assert assistant.calls == []


class FakeInbox:
    def __init__(self):
        self.items = {"rest:n.jones:conv1": [{"text": "Help desk (h.lee): hi", "from": "helpdesk"}]}

    async def pull(self, conversation):
        return self.items.pop(conversation, [])


async def test_rest_pending_messages_come_from_handoff_inbox(settings, tokens, assistant):
    class Service:
        inbox = FakeInbox()

    app = FastAPI()
    handoff: Any = Service()
    rest.mount(app, channel_context(settings, assistant, tokens=tokens, handoff=handoff))
    headers = {"Authorization": f"Bearer {tokens.issue('n.jones')}"}
    async with client_for(app) as client:
        first = await client.get("/api/v1/messages/conv1", headers=headers)
        again = await client.get("/api/v1/messages/conv1", headers=headers)
        porter = {"Authorization": f"Bearer {tokens.issue('p.kim')}"}
        other_staff = await client.get("/api/v1/messages/conv1", headers=porter)
        anonymous = await client.get("/api/v1/messages/conv1")
    assert first.json() == {
        "conversation_id": "conv1",
        "replies": [{"text": "Help desk (h.lee): hi"}],
    }
    assert again.json()["replies"] == []
    assert other_staff.json()["replies"] == []
    assert anonymous.status_code == 401


async def test_rest_pending_messages_empty_without_handoff(app, tokens):
    headers = {"Authorization": f"Bearer {tokens.issue('n.jones')}"}
    async with client_for(app) as client:
        response = await client.get("/api/v1/messages/abc", headers=headers)
        bad = await client.get("/api/v1/messages/a.b", headers=headers)
    assert response.json()["replies"] == []
    assert bad.status_code == 422


async def test_create_app_wires_handoff_service_into_assistant(settings, tokens):
    from cryptography.fernet import Fernet

    from assistant.handoff.relay import HandoffService
    from assistant.handoff.triggers import EscalatingAssistant
    from assistant.safety.gateway import SafetyNetAssistant

    settings = dataclasses.replace(settings, data_key=Fernet.generate_key().decode())
    app = create_app(settings, tokens=tokens, health_checks={}, channels=())
    service = app.state.ctx.handoff  # handed to the channels explicitly
    assert isinstance(service, HandoffService)
    net = app.state.ctx.assistant  # channels see the safety net first, then the throttle
    assert isinstance(net, SafetyNetAssistant) and net.desk is service
    # the help desk hands conversations back through the escalating assistant around Rasa
    escalating = service.assistant
    assert isinstance(escalating, EscalatingAssistant)
    assert isinstance(escalating.inner, RasaAssistant) and escalating.inner.handoff is service


def test_gateway_unhandled_error_is_a_bare_500_logging_only_its_class(caplog):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from assistant.gateway.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.post("/boom")
    async def boom() -> None:
        raise KeyError("ticket text: Zebedee Quill, born 01/02/1950")

    with caplog.at_level("DEBUG"):
        response = TestClient(app, raise_server_exceptions=False).post("/boom")
    assert response.status_code == 500 and response.json() == {"detail": "internal error"}
    assert "KeyError" in caplog.text
    assert "Zebedee" not in caplog.text and "1950" not in caplog.text


class CountingRevocations(InMemoryRevocationList):
    def __init__(self):
        super().__init__()
        self.checks = 0

    async def is_revoked(self, jti):
        self.checks += 1
        return await super().is_revoked(jti)


async def test_rest_message_token_is_checked_once_per_request(settings, assistant):
    revocations = CountingRevocations()
    tokens = StaffTokens(KEY, revocations=revocations, directory=Directory())
    app = create_app(
        settings, assistant=assistant, tokens=tokens, health_checks={}, channels=("rest",)
    )
    token = tokens.issue("n.jones")
    response = await post(app, {"text": "hello"}, token)
    assert response.status_code == 200
    assert revocations.checks == 1  # the rate limiter's check is the route's
    await tokens.revoke(token)
    response = await post(app, {"text": "hello again"}, token)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert len(assistant.calls) == 1


def test_verified_bearer_is_only_for_the_same_token():
    from assistant.ratelimit import VERIFIED_BEARER, verified_bearer

    scope = {"state": {VERIFIED_BEARER: ("token-a", "staff-a")}}
    assert verified_bearer(scope, "token-a") == "staff-a"
    assert verified_bearer(scope, "token-b") is None
    assert verified_bearer({}, "token-a") is None
