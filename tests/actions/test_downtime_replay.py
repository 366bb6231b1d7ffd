"""A kiosk request queued during HMS downtime is replayed through the real guarded action.

``ActionServerReplay`` posts what Rasa would post to the action server; here the request
is run by rasa-sdk's real ``ActionExecutor`` with every action registered, so the
principal check, the permission check, the one audit event and the HMS call are the
production ones.
"""

from __future__ import annotations

import json

import httpx
import pytest

from actions.server import build_executor
from actions.services import set_services
from assistant.channels.kiosk.guard import ActionServerReplay
from assistant.hms.errors import Unavailable
from tests.actions.fakes import KEY, NOW, FakeHms, InMemoryAuditSink, make_services

SLOTS = {"help_type": "porter", "ward": "4B", "bed": "4B-02", "urgency": "urgent",
         "help_description": "wheelchair to x-ray"}  # fmt: skip


def executor_transport() -> httpx.MockTransport:
    executor = build_executor()

    async def handler(request: httpx.Request) -> httpx.Response:
        result = await executor.run(json.loads(request.content))
        assert result is not None
        return httpx.Response(200, json=result.model_dump())

    return httpx.MockTransport(handler)


@pytest.fixture
def services():
    svc = make_services(FakeHms(), InMemoryAuditSink())
    set_services(svc)
    return svc


def _replay(key: str = KEY) -> ActionServerReplay:
    return ActionServerReplay(
        "http://actions/webhook", key, transport=executor_transport(), clock=NOW.timestamp
    )


async def test_replay_runs_the_guarded_action_once_audited(services):
    assert await _replay()("n.jones", 7, SLOTS) == "sent"
    [task] = services.hms.tasks
    assert (task.help_type, task.priority, task.requester) == ("porter", "urgent", "n.jones")
    [event] = services.audit.events
    assert (event.staff, event.channel, event.intent, event.outcome) == (
        "n.jones", "kiosk", "request_help", "success")  # fmt: skip


async def test_replay_checks_the_staff_member_afresh(services):
    assert await _replay()("a.nwosu", 8, SLOTS) == "refused"  # left since it was queued
    assert services.hms.tasks == []
    [event] = services.audit.events
    assert (event.staff, event.outcome, event.reason) == ("a.nwosu", "denied", "unknown_staff")


async def test_replay_with_a_wrong_key_is_refused_and_kept(services):
    assert await _replay("not-the-principal-key")("n.jones", 9, SLOTS) == "retry"
    assert services.hms.tasks == []
    [event] = services.audit.events
    assert (event.outcome, event.reason) == ("denied", "principal")


async def test_replay_while_hms_still_down_is_kept_for_later(services):
    services.hms.fail["create_task"] = Unavailable("down")
    assert await _replay()("n.jones", 10, SLOTS) == "retry"
    [event] = services.audit.events
    assert (event.outcome, event.reason) == ("error", "hms_unavailable")
