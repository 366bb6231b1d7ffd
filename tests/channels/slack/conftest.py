"""A bolt app mounted on FastAPI over the fake Slack Web API (helpers: ``slack_kit``)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from fastapi import FastAPI

from assistant.channels.slack import mount
from assistant.config import get_settings
from tests.channels.slack.slack_kit import (
    SECRET,
    FakeAssistant,
    FakeDirectory,
    Harness,
    RecordingAudit,
)
from tests.fakes import slack_api as fake_module
from tests.fakes.gateway import channel_context


@pytest.fixture
def fake_slack():
    fake = fake_module.FakeSlackApi(port=0).start()
    yield fake
    fake.stop()


@pytest.fixture
async def slack(fake_slack, tmp_path):
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_app_token=None,
        slack_api_url=fake_slack.url,
        redis_url=None,
    )
    assistant, audit, directory = FakeAssistant(), RecordingAudit(), FakeDirectory()
    ctx = channel_context(settings, assistant, hms=lambda: directory)
    app = FastAPI()
    assert mount(app, ctx, refusal_audit=audit) is not None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield Harness(fake_slack, assistant, audit, directory, http)
