"""A task with no form is answered in ``action_new_request``'s own call (actions.samecall):
the same answer the rules' next call would give, one round trip and one prediction fewer."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.beds import ActionCheckBedAvailability
from actions.flow import ActionNewRequest
from actions.samecall import answered_now
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker

FREE_BEDS: dict[str, Any] = dict(
    intent="check_bed_availability",
    text="how many free beds on 4B",
    entities=[{"entity": "ward", "value": "4B", "start": 22, "end": 24}],
    slots={"ward": "4B"},
    # as Rasa sends it: the message, then the slot its mappings filled
    events=[
        {"event": "user", "text": "how many free beds on 4B", "parse_data": {}},
        {"event": "action", "name": "action_extract_slots"},
        {"event": "slot", "name": "ward", "value": "4B"},
    ],
)


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def test_samecall_a_question_is_answered_in_the_new_request_call(services):
    messages, events = await run(ActionNewRequest(), tracker("n.jones", **FREE_BEDS))
    kinds = [m["custom"]["kind"] for m in messages]
    assert kinds and kinds[0].startswith("check_bed_availability_")
    assert "4B" in messages[0]["text"]
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}
    # audited as the task it is, once
    assert [e.action for e in services.audit.events] == ["action_check_bed_availability"]


async def test_samecall_the_answer_is_the_one_its_own_call_gives(services):
    """The rules' path (action_new_request, then the task's action on the tracker as Rasa
    would send it) and the same call give the same replies."""
    alone = CollectingDispatcher()
    await ActionCheckBedAvailability().run(alone, tracker("n.jones", **FREE_BEDS), {})
    together, _ = await run(ActionNewRequest(), tracker("n.jones", **FREE_BEDS))
    assert [m["text"] for m in together] == [m["text"] for m in alone.messages]


async def test_samecall_a_task_with_a_form_is_left_to_its_form(services):
    trk = tracker("n.jones", intent="book_appointment", text="book an appointment")
    messages, events = await run(ActionNewRequest(), trk)
    assert messages == []
    assert not any(e["event"] == "followup" for e in events)
    assert services.audit.events == []


async def test_samecall_the_action_sees_the_events_as_given_this_turn(services, monkeypatch):
    """The task's action reads the tracker its own call would bring: the slots cleared by
    the new request and ``action_new_request`` as the latest action."""
    seen: dict[str, Any] = {}

    class Spy(ActionCheckBedAvailability):
        serves_intent = False

        async def run(self, dispatcher, tracker, domain):
            seen["latest"] = tracker.latest_action_name
            seen["events"] = [e.get("event") for e in tracker.events[-3:]]
            seen["stash"] = tracker.get_slot("stash")
            return []

    import actions.samecall as samecall

    trk = tracker("n.jones", **FREE_BEDS)
    events = [{"event": "slot", "name": "stash", "value": None, "timestamp": None}]
    monkeypatch.setattr(samecall, "guarded_actions", lambda: {"check_bed_availability": Spy()})
    out = await answered_now(
        "action_new_request", CollectingDispatcher(), trk, "check_bed_availability", events, {}
    )
    assert seen["latest"] == "action_new_request"
    assert seen["events"][-2:] == ["action", "slot"]
    assert out[-1]["name"] == "action_listen"
