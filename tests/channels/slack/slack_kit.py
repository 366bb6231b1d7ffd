"""Slack channel test kit: staff, signed requests, a fake assistant and directory, the harness
that drives the mounted bolt app, and the fake Slack Web API module (``fake_module``)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from assistant.conversation import Reply
from tests.fakes import slack_api as fake_slack
from tests.fakes.hospital import demo_staff

SECRET = "test-signing-secret"


_DEMO = demo_staff()
STAFF = {
    "n.jones": _DEMO["n.jones"],
    "p.kim": _DEMO["p.kim"],
    "c.sam": replace(_DEMO["c.sam"], active=False),  # the HMS account is deactivated
}


class FakeDirectory:
    def __init__(self) -> None:
        self.lookups: list[str] = []

    async def find_staff(self, username: str | None = None, email: str | None = None) -> list:
        self.lookups.append(email or "")
        return [s for s in STAFF.values() if s.email == email]


class FakeAssistant:
    """Records each turn; answers with ``script(text)`` (default: echo)."""

    def __init__(self) -> None:
        self.turns: list[dict[str, str]] = []
        self.script: Any = lambda text: [Reply(f"echo: {text}")]
        self.delay = 0.0

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        self.turns.append(
            {"staff": staff, "channel": channel, "conversation": conversation, "text": text}
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        return list(self.script(text))


class RecordingAudit:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    async def refused(self, *, slack_user: str, reason: str, staff: str | None) -> None:
        self.events.append({"slack_user": slack_user, "reason": reason, "staff": staff})


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert sig is not None
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}


class Harness:
    def __init__(
        self,
        fake: Any,
        assistant: FakeAssistant,
        audit: RecordingAudit,
        directory: FakeDirectory,
        http: httpx.AsyncClient,
    ) -> None:
        self.fake = fake
        self.assistant = assistant
        self.audit = audit
        self.directory = directory
        self.http = http
        self._n = 0

    async def post(
        self, body: str, content_type: str, headers: dict | None = None, **sign_kw: Any
    ) -> httpx.Response:
        h = {"Content-Type": content_type, **sign(body, **sign_kw), **(headers or {})}
        return await self.http.post("/slack/events", content=body, headers=h)

    async def event(
        self, event: dict, *, event_id: str | None = None, headers: dict | None = None
    ) -> httpx.Response:
        self._n += 1
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T0DEMO",
                "api_app_id": "A0HMS",
                "type": "event_callback",
                "event_id": event_id or f"Ev{self._n:04d}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        return await self.post(body, "application/json", headers)

    async def dm(self, user: str, text: str, **kw: Any) -> httpx.Response:
        channel = "D" + user[1:]
        return await self.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
            },
            **kw,
        )

    async def mention(
        self,
        user: str,
        text: str,
        channel: str = "C0WARD4B",
        thread_ts: str | None = None,
        ts: str = "1700000000.000100",
    ) -> httpx.Response:
        event = {
            "type": "app_mention",
            "channel": channel,
            "user": user,
            "text": f"<@U0HMSBOT> {text}",
            "ts": ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self.event(event)

    def command_body(self, user: str, text: str, channel: str = "C0WARD4B") -> str:
        self._n += 1
        return urlencode(
            {
                "command": "/hms",
                "text": text,
                "user_id": user,
                "channel_id": channel,
                "team_id": "T0DEMO",
                "trigger_id": f"1.2.{self._n}",  # Slack makes one per invocation
                "response_url": "http://127.0.0.1:9/hook",
            }
        )

    async def command(self, user: str, text: str, channel: str = "C0WARD4B") -> httpx.Response:
        body = self.command_body(user, text, channel)
        return await self.post(body, "application/x-www-form-urlencoded")

    async def click(
        self,
        user: str,
        button: dict,
        *,
        channel: str,
        message: dict | None = None,
        ephemeral: bool = False,
        message_ts: str = "1700000001.000200",
    ) -> httpx.Response:
        payload = fake_slack.block_actions_payload(
            user, button, channel, message_ts, ephemeral, message
        )
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def posted(
        self, method: str = "chat.postMessage", pred: Any = None, start: int = 0
    ) -> dict:
        return await self.fake.wait_for_async(method, pred, timeout=10, start=start)

    async def settle(self) -> None:
        """Let listener tasks finish (they run after the ack)."""
        for _ in range(30):
            await asyncio.sleep(0.01)


def buttons_of(params: dict) -> list[dict]:
    return [e for b in params.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]
