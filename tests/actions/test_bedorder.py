"""A bed's status change said plainly ("need to block a bed") is one, whatever NLU ranked."""

from __future__ import annotations

import pytest

from actions.bedorder import orders_a_bed_change
from actions.fallback import ActionFallback
from actions.flow import ActionNewRequest
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def said(text: str, intent: str = "nlu_fallback", **values: str) -> Turn:
    return Turn.of(tracker("b.okoro", intent=intent, text=text, entities=tagged(text, values)))


def tagged(text: str, values: dict[str, str]) -> list[dict]:
    out = []
    for entity, value in values.items():
        start = text.index(value)
        out.append({"entity": entity, "value": value, "start": start, "end": start + len(value)})
    return out


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("need to block a bed", {}),
        ("block a bed on ward nine", {}),
        ("can you block bed 4", {"bed": "4"}),
        ("I need to close a bed on ICU", {"ward": "ICU"}),
        ("ok we'll have to close ICU bed 4", {"ward": "ICU", "bed": "4"}),
        ("please reopen bed 6", {"bed": "6"}),
        ("unblock the bed", {}),
        ("close 4B bed 3", {}),
        # a bed id leading, then a status (NLU: not understood - "Sorry, I didn't get that")
        ("ed-23 needs a clean", {}),
        ("ED-23 needs a clean", {"ward": "ED-23"}),
        ("4b-13 dirty", {}),
    ],
)
def test_bedorder_a_status_verb_said_of_a_bed_is_a_bed_change(text, values):
    assert orders_a_bed_change(said(text, **values))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("porter to block a bed", {"help_type": "porter"}),
        ("tell me when a bed is reopened on ICU", {"ward": "ICU"}),
        ("close my bed watch", {}),
        ("close the curtains round bed 4", {"bed": "4"}),
        ("is bed 4 closed?", {"bed": "4"}),
        ("is ED-23 clean?", {}),
        ("ed-23", {}),
        ("any free beds on 4B", {"ward": "4B"}),
        ("who closed bed 4", {"bed": "4"}),
        ("close the ticket for bed 4", {"bed": "4"}),
        ("/update_bed_status", {}),
    ],
)
def test_bedorder_other_messages_are_no_bed_change(text, values):
    assert not orders_a_bed_change(said(text, **values))


def followed(events: list[dict]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


async def test_bedorder_need_to_block_a_bed_read_as_a_help_request_changes_a_bed():
    # NLU ranked request_help 0.73: it asked "What kind of help?" of a bed manager
    trk = tracker("b.okoro", intent="request_help", text="need to block a bed")
    _, events = await run(ActionNewRequest(), trk)
    assert followed(events) == ["update_bed_status_form"]


async def test_bedorder_block_a_bed_not_understood_changes_a_bed():
    # NLU: not understood (0.40) - it said "Sorry, I didn't get that"
    trk = tracker("b.okoro", intent="nlu_fallback", text="block a bed on ward nine")
    trk.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "update_bed_status", "confidence": 0.2},
    ]
    messages, events = await run(ActionFallback(), trk)
    assert not any(m["custom"]["kind"].startswith("nlu_fallback") for m in messages)
    assert "update_bed_status_form" in followed(events)


@pytest.mark.parametrize(
    ("text", "entities", "listed"),
    [
        ("where is the patient in bed 1", [("bed", "1")], True),
        ("where is Mary Smith in bed 1", [("bed", "1"), ("patient_name", "Mary Smith")], False),
        ("where is the patient", [], False),
    ],
)
async def test_bedorder_where_is_the_patient_in_a_bed_says_who_is_in_it(text, entities, listed):
    # "where is the patient in bed 1" (NLU: find a patient) asked for the patient's full name
    # (found trying the demo as a nurse)
    ents = [
        {"entity": e, "value": v, "start": text.index(v), "end": text.index(v) + len(v)}
        for e, v in entities
    ]
    slots = {"bed": "1"} if ("bed", "1") in entities else {}
    trk = tracker("n.jones", intent="find_patient", text=text, entities=ents, slots=slots)
    _, events = await run(ActionNewRequest(), trk)
    assert ("list_ward_patients_form" in followed(events)) is listed
