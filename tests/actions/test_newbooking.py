"""A new booking NLU read as a move, a help-job step, a help request or not understood."""

from __future__ import annotations

from typing import Any

import pytest

from actions.flow import ActionContinue, ActionNewRequest
from actions.newbooking import means_booking, wants_a_new_one
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def _turn(text: str, intent: str, **entities: str) -> Turn:
    found = [
        {"entity": name, "value": value, "start": text.find(value), "end": 0}
        for name, value in entities.items()
    ]
    return Turn(intent, 0.6, text, tuple(found), None)


@pytest.mark.parametrize(
    ("text", "intent", "entities", "booking"),
    [
        (
            "appt please: friday, derm, 10180589 Ngozi Price",
            "reschedule_appointment",
            {"mrn": "10180589", "department": "dermatology"},
            True,
        ),
        (
            "put Kerry Demir 10001575 into the 12:00 ent slot friday",
            "nlu_fallback",
            {"mrn": "10001575"},
            True,
        ),
        ("put a porter request in for bed 7", "request_help", {}, False),
        ("book Kerry Demir 10001575 into the 10:20", "update_help_task", {}, True),
        ("I need to book a patient", "nlu_fallback", {}, True),
        ("I need to book a patient", "request_help", {}, True),
        ("move Kerry Demir's appt to friday", "reschedule_appointment", {"mrn": "1"}, False),
        ("can you reschedule the appointment", "reschedule_appointment", {}, False),
        ("book Kerry Demir into cardiology", "emergency", {}, False),
        ("any free appointment slots in derm?", "nlu_fallback", {"department": "d"}, False),
        ("porter to 4B bed 7", "request_help", {}, False),
        ("porter to take the patient to her booking", "request_help", {}, False),
        ("I can't book anything, the system is frozen", "request_help", {}, False),
    ],
)
def test_newbooking_a_booking_read_as_something_else_is_a_booking(text, intent, entities, booking):
    assert means_booking(_turn(text, intent, **entities)) is booking


@pytest.mark.parametrize(
    "text",
    [
        "resched Hiroshi Kelly 10021001 appt to next fri",
        "re-sched Hiroshi Kelly's appt to monday",
        "pls resch Hiroshi Kelly 10021001 appt to thursday",
    ],
)
def test_newbooking_a_shortened_reschedule_is_never_a_booking(text):
    # "resched Hiroshi Kelly 10021001 appt to next fri" asked "Which clinic or
    # department?" - it was taken for a new booking (an appointment and a patient named)
    turn = _turn(text, "reschedule_appointment", patient_name="Hiroshi Kelly")
    assert not means_booking(turn)


def test_newbooking_a_new_one_to_a_move_is_a_booking():
    assert wants_a_new_one("no I want a new one")
    assert wants_a_new_one("no, book a new appointment")
    assert not wants_a_new_one("no, the other one")


async def test_newbooking_a_move_read_booking_starts_the_booking_form():
    text = "appt please: friday, derm, 10180589 Ngozi Price"
    entities = [{"entity": "department", "value": "dermatology", "start": 21, "end": 25}]
    trk = tracker("s.ali", intent="reschedule_appointment", text=text, entities=entities)
    _, events = await run(ActionNewRequest(), trk)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "book_appointment_form"}


async def test_newbooking_no_i_want_a_new_one_to_the_move_list_books_with_what_was_said():
    state: dict[str, Any] = {
        "patient_name": "Mary Smith",
        "mrn": "10004821",
        "time": "friday",
        "pending": "reschedule_appointment:pick",
    }
    text = "no I want a new one"
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in state.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker("s.ali", intent="deny", text=text, slots=state, events=events)
    _, out = await run(ActionContinue(), trk)
    assert out[-1]["name"] == "book_appointment_form"
    slots = {e["name"]: e["value"] for e in out if e.get("event") == "slot"}
    assert slots["patient_name"] == "Mary Smith" and slots["time"] == "friday"
    assert slots["pending"] is None


async def test_newbooking_put_into_the_12_slot_friday_not_understood_books_friday_at_12():
    from tests.actions.test_forms import validate

    text = "put Mary Smith 10004821 into the 12:00 cardiology slot friday"
    entities = [
        {"entity": "patient_name", "value": "Mary Smith", "start": 4, "end": 14},
        {"entity": "mrn", "value": "10004821", "start": 15, "end": 23},
        {"entity": "department", "value": "cardiology", "start": 38, "end": 48},
        {"entity": "time", "value": "friday", "start": 54, "end": 60},
    ]
    slots, _, _ = await validate(
        "book_appointment_form", intent="nlu_fallback", text=text, entities=entities, user="s.ali"
    )
    assert slots["time"] == "friday at 12:00"
