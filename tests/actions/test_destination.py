"""'to physio', 'and take him to x-ray' right after a porter request: added to that request."""

from __future__ import annotations

import pytest

from actions.destination import destination
from actions.fallback import ActionFallback
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker
from tests.actions.test_amend import filed


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    "text, where",
    [
        ("to physio", "physio"),
        ("and take him to x-ray", "x-ray"),
        ("she's going to CT", "CT"),
        ("oh and it's to the discharge lounge please", "discharge lounge"),
        ("destination is theatre", "theatre"),
        ("going to ward 7", "ward 7"),
        ("it's urgent", None),
        ("how do I get to the canteen?", None),
        ("cancel it", None),
    ],
)
async def test_destination_said_right_after_a_porter_request_is_read(services, text, where):
    last = await filed()
    trk = tracker("n.jones", intent="nlu_fallback", text=text, slots={"last_task": last})
    assert destination(trk, Turn.of(trk)) == where


async def test_destination_is_not_read_after_another_kind_of_help(services):
    last = await filed()
    last = {**last, "slots": {**last["slots"], "help_type": "housekeeping"}}
    trk = tracker("n.jones", intent="nlu_fallback", text="to physio", slots={"last_task": last})
    assert destination(trk, Turn.of(trk)) is None


async def test_destination_right_after_filing_is_added_to_the_request(services):
    last = await filed()
    trk = tracker(
        "n.jones", intent="nlu_fallback", text="and take him to x-ray", slots={"last_task": last}
    )
    messages, _ = await run(ActionFallback(), trk)
    [message] = messages
    assert message["custom"]["kind"] == "help_destination_added"
    assert message["text"] == "Added to HR-000001: to x-ray."
    assert services.hms.notes == {"HR-000001": ["Destination: x-ray"]}
    assert len(services.hms.tasks) == 1  # no second request
    assert services.audit.events[-1].action == "action_add_help_destination"


@pytest.mark.parametrize(
    ("said", "described", "now"),
    [
        (
            "no sorry to x-ray not CT",
            "porter for bed 2 to CT please",
            "porter for bed 2 to x-ray please",
        ),
        ("actually to MRI instead of CT", "wheelchair to CT", "wheelchair to MRI"),
        ("sorry, to x-ray not CT", None, "to x-ray"),
    ],
)
async def test_destination_corrected_while_the_urgency_is_asked_changes_the_description(
    services, said, described, now
):
    # n.jones 'porter for bed 18 to CT please', then 'no sorry to x-ray not CT' (NLU: a no)
    # -> "Please pick one: Routine, Urgent or Immediately." and the job filed 'to CT'
    from tests.actions.test_forms import kinds, validate

    filled = {"help_type": "porter", "ward": "4B", "bed": "2", "help_description": described}
    slots, messages, _ = await validate(
        "request_help_form", filled=filled, requested="urgency", intent="deny", text=said
    )
    assert slots.get("help_description") == now
    assert "invalid_urgency" not in kinds(messages)
    assert slots.get("requested_slot") == "urgency"  # still asked


def test_destination_a_plain_answer_is_no_corrected_destination():
    from actions.destination import corrected_destination

    assert corrected_destination("urgent", "wheelchair to CT") is None
    assert corrected_destination("to x-ray", "wheelchair to CT") is None  # no place ruled out
    assert corrected_destination("no, not urgent", "wheelchair to CT") is None
