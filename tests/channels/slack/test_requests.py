"""Signed requests into the bolt app mounted on FastAPI (the way slack-bolt tests itself)."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import cast

from fastapi import FastAPI

from assistant.channels.slack import mount
from assistant.channels.slack.ports import RefusalAudit
from assistant.config import get_settings
from tests.channels.slack.slack_kit import sign
from tests.fakes.gateway import channel_context

U_NJONES = "U0NJONES"


def _dm_body() -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "event_id": "EvSIG1",
            "team_id": "T0DEMO",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D0NJONES",
                "user": U_NJONES,
                "text": "hello",
                "ts": "1.1",
            },
        }
    )


async def test_request_valid_signature_is_acked(slack):
    response = await slack.post(_dm_body(), "application/json")
    assert response.status_code == 200


async def test_request_missing_signature_is_401(slack):
    response = await slack.http.post(
        "/slack/events", content=_dm_body(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401
    await slack.settle()
    assert slack.assistant.turns == []


async def test_request_tampered_body_is_401(slack):
    headers = {"Content-Type": "application/json", **sign(_dm_body())}
    tampered = _dm_body().replace("hello", "book everything")
    response = await slack.http.post("/slack/events", content=tampered, headers=headers)
    assert response.status_code == 401


async def test_request_wrong_secret_is_401(slack):
    response = await slack.post(_dm_body(), "application/json", secret="not-the-secret")
    assert response.status_code == 401


async def test_request_five_minute_old_signature_is_401(slack):
    old = int(time.time()) - 6 * 60
    response = await slack.post(_dm_body(), "application/json", timestamp=old)
    assert response.status_code == 401
    await slack.settle()
    assert slack.assistant.turns == []


async def test_request_url_verification_returns_challenge(slack):
    body = json.dumps({"type": "url_verification", "token": "x", "challenge": "abc123"})
    response = await slack.post(body, "application/json")
    assert response.status_code == 200
    assert "abc123" in response.text


def test_mount_without_slack_settings_mounts_nothing(caplog, tmp_path):
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
    )
    app = FastAPI()
    ctx = channel_context(settings, None)
    with caplog.at_level("INFO"):
        assert mount(app, ctx) is None
    assert "Slack is off" in caplog.text
    assert not any(getattr(r, "path", "") == "/slack/events" for r in app.routes)


def test_mount_socket_mode_adds_no_http_route_and_hooks_lifespan(tmp_path):
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        slack_bot_token="xoxb-test",
        slack_signing_secret=None,
        slack_app_token="xapp-test",
        redis_url=None,
    )
    app = FastAPI()
    before = app.router.lifespan_context
    ctx = channel_context(settings, None)
    assert mount(app, ctx, refusal_audit=cast(RefusalAudit, object())) is not None
    assert not any(getattr(r, "path", "") == "/slack/events" for r in app.routes)
    assert app.router.lifespan_context is not before
