"""Follow-up questions ("and friday?") right after an answer: asked again with that changed."""

from __future__ import annotations

import pytest

from actions.beds import ActionCheckBedAvailability
from actions.followup import elliptical, follow_up, remember
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def ent(entity, value, text):
    start = text.lower().index(value.lower())
    return {"entity": entity, "value": value, "start": start, "end": start + len(value)}


@pytest.mark.parametrize(
    ("text", "entity", "value", "expected"),
    [
        ("and friday?", "time", "friday", True),
        ("what about ICU?", "ward", "ICU", True),
        ("ok, how about ward 7", "ward", "7", True),
        ("sorry, 4B", "ward", "4B", True),  # after "I don't know ward 5"
        ("and any free beds on 4B?", "ward", "4B", False),  # a full request: asked afresh
        ("friday", "time", "friday", False),  # no follow-up cue
    ],
)
def test_followup_elliptical_is_a_cue_and_only_details(text, entity, value, expected):
    turn = Turn("inform", 0.9, text, (ent(entity, value, text),), None)
    assert elliptical(turn) is expected


def _after(last, text, entity, value, intent="inform"):
    e = ent(entity, value, text)
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": entity, "value": value},
    ]
    slots = {"last_task": last, entity: value}
    return tracker("n.jones", intent=intent, text=text, slots=slots, entities=[e], events=events)


def test_followup_asks_the_last_question_again_with_the_new_detail():
    last = {"intent": "check_bed_availability", "slots": {"ward": "4B", "bed_type": "side room"}}
    trk = _after(last, "what about 7C?", "ward", "7C")
    assert follow_up(trk, Turn.of(trk)) == ("check_bed_availability", {"bed_type": "side room"})


def test_followup_needs_a_question_that_takes_follow_ups():
    last = {"intent": "book_appointment", "slots": {"department": "cardiology"}}
    trk = _after(last, "and friday?", "time", "friday")
    assert follow_up(trk, Turn.of(trk)) is None


async def test_followup_an_answered_question_is_remembered_and_a_refusal_is_not():
    _, events = await run(ActionCheckBedAvailability(), tracker("n.jones", slots={"ward": "4B"}))
    last = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_task"]
    assert last[-1] == {"intent": "check_bed_availability", "slots": {"ward": "4B"}}
    _, events = await run(ActionCheckBedAvailability(), tracker("nobody", slots={"ward": "4B"}))
    assert not [e for e in events if e["name"] == "last_task" and e["value"]]


async def test_followup_is_answered_at_once_keeping_what_was_not_changed():
    from actions.flow import ActionContinue

    last = {"intent": "check_bed_availability", "slots": {"ward": "7C", "bed_type": "side room"}}
    messages, events = await run(ActionContinue(), _after(last, "what about 4B?", "ward", "4B"))
    custom = messages[0]["custom"]
    assert custom["kind"] == "check_bed_availability_success"
    assert custom["data"]["ward"] == "4B" and custom["data"]["feature"] == "side-room"
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


def test_followup_never_remembers_a_patient():
    trk = tracker("n.jones", slots={"ward": "4B", "patient_name": "Jane Doe", "mrn": "10004821"})
    (event,) = remember("list_ward_patients", trk, [])
    assert event["value"] == {"intent": "list_ward_patients", "slots": {"ward": "4B"}}
