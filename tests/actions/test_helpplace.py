"""A help request for a place that is no ward (pharmacy, a lab): kept as said."""

from __future__ import annotations

import pytest

from actions.help import ActionRequestHelp
from actions.helpplace import place_said
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker
from tests.actions.test_forms import validate


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("said", "place"),
    [
        ("pharmacy", "pharmacy"),
        ("in the pharmacy", "pharmacy"),
        ("main reception desk", "main reception desk"),
        ("the lab", "lab"),
        ("printer jammed", None),
        ("4B", None),
        ("asdf", None),
    ],
)
def test_helpplace_only_words_naming_a_hospital_place_are_a_place(said, place):
    assert place_said(said) == place


async def test_helpplace_a_place_answering_which_ward_is_kept_for_a_help_request(services):
    # m.evans 'log an IT ticket' / 'pharmacy' -> "I don't know ward 'pharmacy'", never filed
    slots, replies, _ = await validate(
        "request_help_form",
        filled={"help_type": "it"},
        set_now={"ward": "pharmacy"},
        requested="ward",
        text="pharmacy",
        entities=[{"entity": "ward", "value": "pharmacy"}],
        user="m.evans",
    )
    assert slots.get("ward") == "place:pharmacy"
    assert not [r for r in replies if "unknown_ward" in str(r)]


async def test_helpplace_another_forms_ward_is_never_a_place(services):
    slots, _, _ = await validate(
        "check_bed_availability_form",
        set_now={"ward": "pharmacy"},
        requested="ward",
        text="pharmacy",
        entities=[{"entity": "ward", "value": "pharmacy"}],
    )
    assert slots.get("ward") is None


async def test_helpplace_the_request_is_filed_with_no_ward_and_the_place_in_its_text(services):
    slots = {
        "help_type": "it",
        "ward": "place:pharmacy",
        "urgency": "routine",
        "help_description": "printer jammed",
    }
    messages, _ = await run(ActionRequestHelp(), tracker("m.evans", slots=slots))
    assert messages[-1]["custom"]["kind"] == "request_help_success"
    assert "for pharmacy" in messages[-1]["text"]
    task = services.hms.tasks[0]
    assert (task.location_id, task.description) == (None, "[pharmacy] printer jammed")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("the label printer in the lab is broken", "lab"),
        ("spill by the main entrance", "main entrance"),
        ("porter to take her to x-ray", None),
        ("printer jammed on 4B", None),
    ],
)
def test_helpplace_a_place_in_the_requests_words(text, place):
    from actions.helpplace import place_in

    assert place_in(text) == place


async def test_helpplace_a_place_in_the_first_message_is_not_asked_as_a_ward(services):
    # 'the label printer in the lab is broken' asked 'Which ward?'
    slots, replies, _ = await validate(
        "request_help_form",
        set_now={"help_type": "it"},
        text="the label printer in the lab is broken",
        intent="request_help",
        user="m.evans",
    )
    assert slots.get("ward") == "place:lab"


@pytest.mark.parametrize(
    "text", ["IT for the ward printer please", "need IT, ward printer jammed", "ward phone broken"]
)
async def test_helpplace_the_ward_printer_is_the_users_own_ward_never_a_ward_called_printer(
    services, text
):
    # n.jones: "need IT, ward printer jammed" -> "I don't know ward 'printer'. Wards here are ..."
    slots, messages, _ = await validate(
        "request_help_form",
        set_now={"help_type": "it"},
        requested=None,
        intent="request_help",
        text=text,
    )
    assert slots.get("ward") == "mine"
    assert "unknown_ward" not in [(m.get("custom") or {}).get("kind") for m in messages]


async def test_helpplace_a_ward_said_by_its_code_is_still_that_ward_in_a_help_request(services):
    slots, _, _ = await validate(
        "request_help_form",
        set_now={"help_type": "porter"},
        requested=None,
        intent="request_help",
        text="porter to ward 7c please",
    )
    assert slots.get("ward") == "7C"


@pytest.mark.parametrize(
    "text",
    ["can you send someone to fix the tap in bay 2, its leaking", "side room 3 light broken"],
)
async def test_helpplace_a_bay_of_the_users_only_ward_is_on_that_ward(services, text):
    # n.jones (Ward 4B): 'can you send someone to fix the tap in bay 2, its leaking' ->
    # "Which ward?"
    slots, messages, _ = await validate(
        "request_help_form",
        set_now={"help_type": "maintenance"},
        requested=None,
        intent="request_help",
        text=text,
    )
    assert slots.get("ward") == "4B"
    assert slots.get("requested_slot") != "ward"


async def test_helpplace_a_request_naming_no_place_still_asks_the_ward(services):
    slots, _, _ = await validate(
        "request_help_form",
        set_now={"help_type": "maintenance"},
        requested=None,
        intent="request_help",
        text="the tap is leaking",
    )
    assert slots.get("ward") in (None, "")
