"""Gateway-wide rate limits (per staff, per address) and the non-echoing 422 handler."""

import dataclasses

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from assistant.config import get_settings
from assistant.conversation import Reply
from assistant.gateway import create_app
from assistant.gateway.app import rate_setting
from assistant.gateway.errors import install_error_handlers, validation_detail
from assistant.identity.tokens import InMemoryRevocationList, StaffTokens
from assistant.ratelimit import Rate

KEY = "test-signing-key-0123456789abcdef"


class Echo:
    def __init__(self):
        self.calls = 0

    async def send(self, *, staff, channel, conversation, text):
        self.calls += 1
        return [Reply("ok")]


class Directory:
    async def is_active_staff(self, username):
        return username in {"n.jones", "p.kim"}


@pytest.fixture
def tokens():
    return StaffTokens(KEY, revocations=InMemoryRevocationList(), directory=Directory())


def gateway(tmp_path, tokens, assistant, **limits):
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        signing_key=KEY,
        redis_url=None,
        **{name.lower(): value for name, value in limits.items()},
    )
    return create_app(
        settings, assistant=assistant, tokens=tokens, channels=("rest",), health_checks={}
    )


async def say(app, token=None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        return await client.post("/api/v1/messages", json=body or {"text": "hi"}, headers=headers)


async def test_gateway_per_user_limit_answers_429_with_retry_after(tmp_path, tokens):
    echo = Echo()
    app = gateway(tmp_path, tokens, echo, RATE_LIMIT_USER="2/minute", RATE_LIMIT_IP="off")
    nurse, porter = tokens.issue("n.jones"), tokens.issue("p.kim")
    assert [(await say(app, nurse)).status_code for _ in range(2)] == [200, 200]
    refused = await say(app, nurse)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "too many requests" in refused.json()["detail"]
    assert echo.calls == 2  # the refused message never reached the assistant
    assert (await say(app, porter)).status_code == 200  # another staff member's own budget


async def test_gateway_forged_tokens_do_not_spend_a_staff_budget(tmp_path, tokens):
    app = gateway(tmp_path, tokens, Echo(), RATE_LIMIT_USER="1/minute", RATE_LIMIT_IP="off")
    for _ in range(3):
        assert (await say(app, "forged.token.value")).status_code == 401
    assert (await say(app, tokens.issue("n.jones"))).status_code == 200


async def test_gateway_per_ip_limit_answers_429_but_not_healthz(tmp_path, tokens):
    app = gateway(tmp_path, tokens, Echo(), RATE_LIMIT_IP="2/minute", RATE_LIMIT_USER="off")
    assert [(await say(app)).status_code for _ in range(2)] == [401, 401]
    assert (await say(app, tokens.issue("n.jones"))).status_code == 429
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        assert (await client.get("/healthz")).status_code == 200


def test_gateway_rate_settings_default_parse_and_off(tmp_path, monkeypatch):
    monkeypatch.delenv("RATE_LIMIT_USER", raising=False)
    assert rate_setting(get_settings(), "RATE_LIMIT_USER", "30/minute") == Rate(30, 60)
    monkeypatch.setenv("RATE_LIMIT_USER", "1000/hour")
    assert rate_setting(get_settings(), "RATE_LIMIT_USER", "30/minute") == Rate(1000, 3600)
    monkeypatch.setenv("RATE_LIMIT_USER", "off")
    assert rate_setting(get_settings(), "RATE_LIMIT_USER", "30/minute") is None
    monkeypatch.setenv("RATE_LIMIT_USER", "lots")
    with pytest.raises(ValueError):
        rate_setting(get_settings(), "RATE_LIMIT_USER", "30/minute")


class Sample(BaseModel):
    text: str = Field(min_length=1, max_length=5)


@pytest.mark.parametrize(
    "raw",
    [
        b"1e999999",
        b"NaN",
        b'{"text": "\\ud800\\ud800xxxx"}',
        b'{"text": "secret patient name"}',
        b"{",
    ],
)
async def test_gateway_validation_errors_are_422_without_the_input(raw):
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/sample")
    async def sample(body: Sample) -> dict[str, str]:
        return {"text": body.text}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        response = await client.post(
            "/sample", content=raw, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    assert "secret" not in detail and "xxxx" not in detail


def test_gateway_validation_detail_names_fields_and_caps_count():
    errors = [
        {"loc": ("body", "text"), "msg": "Field required", "input": "x"},
        {"loc": ("body",), "msg": "JSON decode error"},
        {"loc": ("query", "n"), "msg": "bad"},
        {"loc": ("path", "id"), "msg": "bad"},
    ]
    assert validation_detail(errors) == (
        "text: Field required; body: JSON decode error; n: bad; and 1 more"
    )


async def test_gateway_throttles_slack_and_kiosk_turns_per_staff_member():
    from assistant.gateway.throttle import ThrottledAssistant
    from assistant.ratelimit import InMemoryRateLimiter, RateLimits

    echo = Echo()
    limits = RateLimits(None, InMemoryRateLimiter(Rate(2, 60)))
    throttled = ThrottledAssistant(echo, limits)
    texts = [
        (await throttled.send(staff="n.jones", channel="slack", conversation="D1", text="hi"))[
            0
        ].text
        for _ in range(3)
    ]
    assert texts[:2] == ["ok", "ok"] and "faster than I can handle" in texts[2]
    assert echo.calls == 2  # the refused turn never reached the assistant
    other = await throttled.send(staff="p.kim", channel="kiosk", conversation="k", text="hi")
    assert other[0].text == "ok"  # one staff member's budget is not another's
    # REST turns are counted by the middleware (bearer token), not a second time here
    for _ in range(3):
        await throttled.send(staff="n.jones", channel="rest", conversation="r", text="hi")
    assert echo.calls == 6
