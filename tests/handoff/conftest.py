"""Handoff relay fixtures: a real TicketStore on a temp SQLite file, the fake Slack Web API,
an injected clock, and services ("gateway workers") built over the same store. Helpers live
in ``tests.handoff.handoff_kit``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from assistant.audit import InMemoryAuditSink
from assistant.channels.slack.helpdesk_desk import SlackHelpdesk, SlackRequester
from assistant.crypto import DataCipher, generate_key
from assistant.handoff.bus import MemoryBus
from assistant.handoff.relay import HandoffService
from assistant.handoff.state import RelayStateStore
from assistant.handoff.tickets import TicketStore
from assistant.rbac.policy import load_policy
from assistant.store import open_store_at
from tests.handoff.handoff_kit import HELPDESK, ONCALL, Clock, FakeDirectory, fake_slack


@pytest.fixture
def slack_api():
    api = fake_slack.FakeSlackApi().start()
    yield api
    api.stop()


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'assistant.db'}"


@pytest.fixture
def cipher() -> DataCipher:
    return DataCipher([generate_key()])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def audit() -> InMemoryAuditSink:
    return InMemoryAuditSink()


@pytest.fixture
async def make_worker(db_url, cipher, clock, audit, slack_api):
    """Build a "gateway worker": a HandoffService over the shared store file."""
    opened: list[Any] = []

    def build(bus: Any = None, *, name: str = "w1", desk: bool = True) -> HandoffService:
        store = open_store_at(db_url)
        service = HandoffService(
            tickets=TicketStore(store, cipher, clock),
            state=RelayStateStore(store),
            bus=bus or MemoryBus(),
            clock=clock,
            remind_after=timedelta(minutes=5),
            escalate_after=timedelta(minutes=10),
            policy=load_policy(),
            audit=audit,
            worker=name,
        )
        client = AsyncWebClient(token="xoxb-test", base_url=slack_api.url)
        if desk:
            service.attach_desk(SlackHelpdesk(client, HELPDESK, oncall=ONCALL))
        service.attach_requester("slack", SlackRequester(client, FakeDirectory()))
        opened.append((service, store))
        return service

    yield build
    for service, store in opened:
        await service.aclose()
        store.close()
