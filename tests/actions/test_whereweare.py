""" "where were we?" mid-task asks the question in hand again: never a new task, never a yes."""

from __future__ import annotations

import pytest

from actions.beds import ActionUpdateBedStatus
from actions.flow import ActionContinue, ActionNewRequest
from actions.services import set_services
from actions.state import Turn
from actions.whereweare import asks_where_we_were
from tests.actions.fakes import make_services, run, tracker
from tests.actions.test_bedconfirm import change, reply, status


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("where were we", True),
        ("ok, where were we?", True),
        ("what were we doing again", True),
        ("where was i", True),
        ("where were we with bed 4", False),
        ("where is Hamza Campbell", False),
        ("carry on", False),
    ],
)
def test_whereweare_reads_the_question_alone(text, asks):
    assert asks_where_we_were(Turn("find_patient", 0.6, text, (), None)) is asks


def followups(events: list[dict]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


async def test_whereweare_mid_bed_change_asks_its_question_again(services):
    # NLU: find a patient (0.6) - it asked "What is the patient's full name?"
    trk = tracker(
        "n.jones",
        intent="find_patient",
        text="where were we",
        slots={"ward": "ICU", "requested_slot": "bed"},
        active_loop="update_bed_status_form",
    )
    messages, events = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["where_we_were"]
    assert "changing the bed's status" in messages[0]["text"]
    assert followups(events) == ["update_bed_status_form"]


@pytest.mark.parametrize(
    ("action", "intent"), [(ActionContinue, "affirm"), (ActionNewRequest, "find_patient")]
)
async def test_whereweare_at_an_occupied_bed_confirmation_is_no_yes(services, action, intent):
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    trk = reply(asked, intent, "where were we")
    question = {
        "event": "bot",
        "text": "4B Bed 1 is occupied - close it anyway?",
        "data": {"custom": {"phi": False, "kind": "update_bed_status_confirm", "data": {}}},
    }
    trk.events.append(question)
    messages, events = await run(action(), trk)
    assert status(services, "4B Bed 1") == "O"  # not closed
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_confirm"]
    assert followups(events) == ["action_listen"]


async def test_whereweare_with_nothing_in_hand_says_so(services):
    trk = tracker("n.jones", intent="find_patient", text="where were we?")
    messages, events = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["where_we_were_nothing"]
    assert followups(events) == ["action_listen"]
