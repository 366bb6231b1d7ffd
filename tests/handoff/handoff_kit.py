"""Handoff test kit (``tests.handoff.handoff_kit``): staff, agents, the fake Slack API module,
an injected clock, a recording assistant and helpers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.conversation import Reply
from assistant.handoff.ports import Agent
from tests.fakes import slack_api as fake_slack
from tests.fakes.hospital import demo_staff

ROOT = Path(__file__).resolve().parents[1]
HELPDESK = "C0HELPDESK"
ONCALL = "U0ONCALL"


_DEMO = demo_staff()
STAFF = {name: _DEMO[name] for name in ("n.jones", "h.lee", "m.evans")}  # two help-desk agents
H_LEE = Agent(fake_slack.slack_id("h.lee"), "h.lee", frozenset({"helpdesk"}))
M_EVANS = Agent(fake_slack.slack_id("m.evans"), "m.evans", frozenset({"helpdesk"}))
NURSE = Agent(fake_slack.slack_id("n.jones"), "n.jones", frozenset({"nurse"}))
REQUESTER_DM = "D" + fake_slack.slack_id("n.jones")[1:]
SENDER = f"slack:n.jones:{REQUESTER_DM}"
TRANSCRIPT = [
    {"role": "user", "text": "book an appointment for Alice Walker MRN 10004821"},
    {"role": "bot", "text": "Which clinic or department?"},
    {"role": "user", "text": "I want to talk to a person"},
]
SUMMARY = {
    "last_task": "book_appointment",
    "active_form": "book_appointment_form",
    "role": "nurse",
    "turns": 3,
    "note": "for Alice Walker 10004821",
}


class FakeDirectory:
    async def find_staff(self, username: str | None = None, email: str | None = None) -> list:
        return [
            s
            for s in STAFF.values()
            if (email and s.email == email) or (username and s.username == username)
        ]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


class RecordingAssistant:
    def __init__(self) -> None:
        self.turns: list[dict[str, str]] = []

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        self.turns.append({"staff": staff, "conversation": conversation, "text": text})
        return [Reply("And the patient's MRN (8 digits)?")]


def open_ticket(service: Any, sender: str = SENDER, summary: dict | None = None):
    return service.tickets.open_ticket(
        requester=sender.split(":")[1],
        channel=sender.split(":")[0],
        conversation_id=sender,
        reason="user_request",
        summary=summary or SUMMARY,
        transcript=TRANSCRIPT,
    )


async def eventually(check: Any, timeout: float = 5.0) -> Any:
    """Wait (without asserting on time) until ``check()`` is truthy; return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
