"""The Slack channel mounted by the real gateway app, refusals landing in the audit trail."""

from __future__ import annotations

import dataclasses

import httpx

from assistant.audit import open_audit_sink
from assistant.config import get_settings
from assistant.conversation import Reply
from assistant.gateway.app import create_app
from tests.channels.slack.slack_kit import SECRET, STAFF
from tests.fakes import slack_api as fake_module


async def test_gateway_mounts_slack_and_audits_refusal(tmp_path, fake_slack):
    class Assistant:
        turns: list = []

        async def send(self, **kw):
            self.turns.append(kw)
            return [Reply("hello")]

    class Directory:
        async def find_staff(self, username=None, email=None):
            return [s for s in STAFF.values() if s.email == email]

    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        assistant_database_url=f"sqlite:///{tmp_path}/a.db",
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_app_token=None,
        slack_api_url=fake_slack.url,
        signing_key="k" * 32,
        redis_url=None,
    )
    assistant = Assistant()
    app = create_app(settings, assistant=assistant, hms=Directory, channels=("slack",))
    assert app.state.channels == ["slack"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://g") as c:
        for user, event_id in (("U0NJONES", "Ev1"), (fake_module.UNKNOWN_USER, "Ev2")):
            body = fake_module.event_body(fake_module.dm_event(user, "hello"), event_id)
            headers = {"Content-Type": "application/json", **fake_module.signed_headers(body)}
            assert (await c.post("/slack/events", content=body, headers=headers)).status_code == 200
        await fake_slack.wait_for_async("chat.postMessage", lambda p: p["channel"] == "D0NJONES")
        await fake_slack.wait_for_async("chat.postMessage", lambda p: p["channel"] == "D0STRANGER")
    assert [t["staff"] for t in assistant.turns] == ["n.jones"]
    rows = open_audit_sink(settings).events()
    assert [(r.staff, r.outcome, r.reason) for r in rows] == [
        (f"slack:{fake_module.UNKNOWN_USER}", "refused", "not_in_directory")
    ]
