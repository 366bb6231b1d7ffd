"""Another patient said while a booking offers or confirms a slot: the booking's patient
is changed (NLU often reads "sorry its for Emily Lloyd 10176509" as "find a patient")."""

from __future__ import annotations

from typing import Any

import pytest

from actions.appointments import ActionBookAppointment
from actions.flow import ActionContinue, ActionNewRequest
from actions.repatient import corrects_the_patient
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker

MARY = {"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"}
JOHN = [
    {"entity": "patient_name", "value": "John Doe", "start": 13, "end": 21},
    {"entity": "mrn", "value": "10009999", "start": 22, "end": 30},
]
CONFIRMING: dict[str, Any] = {
    "pending": "book_appointment:confirm",
    "confirmed": {"patient_id": "p-1", "slot_id": "slot-1", "start": "x", "appointment_id": None},
}


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def _said(text: str, intent: str = "find_patient", **state: Any):
    before = {**MARY, **state}
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "patient_name", "value": "John Doe"},
        {"event": "slot", "name": "mrn", "value": "10009999"},
    ]
    slots = {**before, "patient_name": "John Doe", "mrn": "10009999"}
    return tracker("s.ali", intent=intent, text=text, slots=slots, entities=JOHN, events=events)


@pytest.mark.parametrize(
    ("text", "corrects"),
    [
        ("sorry its for John Doe 10009999", True),
        ("wrong patient, it is John Doe 10009999", True),
        ("where is John Doe 10009999", False),
        ("which bed is John Doe 10009999 in?", False),
    ],
)
def test_repatient_a_patient_named_at_the_confirm_corrects_the_booking(text, corrects):
    trk = _said(text, **CONFIRMING)
    assert corrects_the_patient(trk, Turn.of(trk)) is corrects


def test_repatient_a_request_of_its_own_about_another_patient_is_no_correction():
    trk = _said("cancel John Doe's appointment", "cancel_appointment", **CONFIRMING)
    assert corrects_the_patient(trk, Turn.of(trk)) is False


def test_repatient_no_booking_waiting_is_no_correction():
    trk = _said("sorry its for John Doe 10009999")
    assert corrects_the_patient(trk, Turn.of(trk)) is False


async def test_repatient_find_patient_reading_at_the_confirm_changes_the_patient_keeping_the_slot():
    messages, events = await run(
        ActionNewRequest(), _said("sorry its for John Doe 10009999", **CONFIRMING)
    )
    assert messages[0]["custom"]["kind"] == "slot_corrected"
    cleared = {e["name"] for e in events if e.get("event") == "slot" and e["value"] is None}
    assert "pending" in cleared and "confirmed" not in cleared
    assert any(e.get("name") == "book_appointment_form" for e in events)


async def test_repatient_the_kept_slot_is_confirmed_for_the_new_patient():
    slots = {
        **MARY,
        "patient_name": "John Doe",
        "mrn": "10009999",
        "confirmed": CONFIRMING["confirmed"],
    }
    messages, events = await run(
        ActionBookAppointment(), tracker("s.ali", intent="inform", slots=slots)
    )
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"
    assert messages[0]["custom"]["data"]["slot_id"] == "slot-1"
    confirmed = next(e["value"] for e in events if e.get("name") == "confirmed")
    assert confirmed["patient_id"] == "p-2"


@pytest.mark.parametrize(
    ("text", "entities", "intent"),
    [
        (
            "neurology not cardiology",
            [
                {"entity": "department", "value": "neurology", "start": 0, "end": 9},
                {"entity": "department", "value": "cardiology", "start": 14, "end": 24},
            ],
            "inform",
        ),
        (
            "no, neurology",
            [{"entity": "department", "value": "neurology", "start": 4, "end": 13}],
            "deny",
        ),
    ],
)
async def test_repatient_another_clinic_at_the_offer_or_confirm_changes_the_clinic(
    text, entities, intent
):
    # the slot mappings kept cardiology (the last clinic named; none for a "no"): the
    # clinic meant is taken, said back, and the form re-opened to offer its slots
    state = {**MARY, **CONFIRMING}
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in state.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker("s.ali", intent=intent, text=text, slots=state, entities=entities, events=events)
    messages, out = await run(ActionContinue(), trk)
    assert messages[0]["custom"]["kind"] == "slot_corrected"
    assert "neurology" in messages[0]["text"].lower()
    assert {"event": "slot", "timestamp": None, "name": "department", "value": "neurology"} in out
    assert any(e.get("name") == "book_appointment_form" for e in out)


@pytest.mark.parametrize(
    ("text", "corrects"),
    [
        ("sorry, wrong clinic, neurology", True),
        ("actually neurology instead", True),
        ("neurology list for today", False),  # a request of its own: no correction said
    ],
)
async def test_repatient_a_clinic_correction_nlu_read_as_a_list_changes_the_booking(text, corrects):
    # "sorry, wrong clinic, neurology" at the offer showed today's neurology list (other
    # patients' initials) instead of changing the booking's clinic
    from actions.repatient import corrects_the_clinic

    state = {**MARY, "pending": "book_appointment:offer"}
    start = text.index("neurology")
    entities = [{"entity": "department", "value": "neurology", "start": start, "end": start + 9}]
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in state.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker(
        "s.ali", intent="list_clinic_appointments", text=text, slots=state, entities=entities,
        events=events,
    )  # fmt: skip
    assert corrects_the_clinic(trk, Turn.of(trk)) is corrects
    if corrects:
        _, out = await run(ActionNewRequest(), trk)
        assert {
            "event": "slot",
            "timestamp": None,
            "name": "department",
            "value": "neurology",
        } in out


def test_repatient_not_this_day_but_that_is_the_day_meant():
    # "not monday, tuesday" at an offer re-offered Monday ("monday, tuesday" run together)
    from actions.flow import new_time

    text = "not monday, tuesday"
    state = {**MARY, "time": "monday", "pending": "book_appointment:offer"}
    entities = [
        {"entity": "time", "value": "monday", "start": 4, "end": 10},
        {"entity": "time", "value": "tuesday", "start": 12, "end": 19},
    ]
    events: list[dict] = [
        *({"event": "slot", "name": k, "value": v} for k, v in state.items()),
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "time", "value": "tuesday"},
    ]
    trk = tracker(
        "s.ali", intent="inform", text=text, slots=state, entities=entities, events=events
    )
    # (None: the slot mappings' "tuesday" stands; before, "monday, tuesday" replaced it)
    found = new_time(trk, Turn.of(trk))
    assert found is None or "monday" not in found
