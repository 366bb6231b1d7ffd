"""Form validation: syntax only; the HMS is asked only who the user is (permission gate)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import (
    ValidateBookAppointmentForm,
    ValidateRequestHelpForm,
    ValidateUpdateBedStatusForm,
    normalise_mrn,
)
from actions.services import set_services
from tests.actions.fakes import make_services, tracker

DOMAIN = {
    "forms": {
        "book_appointment_form": {"required_slots": ["patient_name", "mrn", "department", "time"]},
        "update_bed_status_form": {"required_slots": ["ward", "bed", "bed_status"]},
        "request_help_form": {
            "required_slots": ["help_type", "ward", "urgency", "help_description"]
        },
    }
}


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("text", "mrn"),
    [
        ("10004821", "10004821"),
        ("1000-4821", "10004821"),
        ("one zero zero zero four eight two one", "10004821"),
        ("1234", None),
        (None, None),
    ],
)
def test_forms_mrn_normalised_to_eight_digits(text, mrn):
    assert normalise_mrn(text) == mrn


async def validate(action, slots, requested, user="n.jones"):
    dispatcher = CollectingDispatcher()
    events: list[dict] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "x", "parse_data": {}},
        *({"event": "slot", "name": k, "value": v} for k, v in slots.items()),
    ]
    trk = tracker(
        user,
        intent="inform",
        slots={**slots, "requested_slot": requested},
        active_loop=action.form_name(),
        events=events,
    )
    events = await action.run(dispatcher, trk, DOMAIN)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


async def test_forms_bad_mrn_is_rejected_with_hint(services):
    slots, messages = await validate(ValidateBookAppointmentForm(), {"mrn": "12"}, "mrn")
    assert slots["mrn"] is None and messages[0]["response"] == "utter_invalid_mrn"
    assert [name for name, _ in services.hms.calls] == ["find_staff"]


async def test_forms_end_at_once_for_a_user_without_the_permission(services):
    slots, messages = await validate(
        ValidateBookAppointmentForm(), {"mrn": "10004821"}, "mrn", user="p.porter"
    )
    # the form ends before asking anything more; the guarded action then says the denial
    assert slots == {"requested_slot": None} and messages == []


async def test_forms_unparseable_time_is_asked_again():
    slots, messages = await validate(
        ValidateBookAppointmentForm(), {"time": "whenever-ish"}, "time"
    )
    assert slots["time"] is None and messages[0]["response"] == "utter_invalid_time"


async def test_forms_clinician_makes_department_optional():
    slots, _ = await validate(
        ValidateBookAppointmentForm(),
        {
            "patient_name": "Mary Smith",
            "mrn": "10004821",
            "clinician": "d.khan",
            "time": "tomorrow",
        },
        "time",
    )
    assert slots.get("requested_slot") is None


async def test_forms_bed_with_ward_fills_both():
    slots, _ = await validate(ValidateUpdateBedStatusForm(), {"bed": "4B-06"}, "bed")
    assert slots["bed"] == "6" and slots["ward"] == "4B"


async def test_forms_bed_status_to_code():
    slots, _ = await validate(
        ValidateUpdateBedStatusForm(), {"bed_status": "needs cleaning"}, "bed_status"
    )
    assert slots["bed_status"] == "H"


async def test_forms_help_type_and_urgency_codes():
    slots, _ = await validate(
        ValidateRequestHelpForm(), {"help_type": "printer", "urgency": "right now"}, "urgency"
    )
    assert slots["help_type"] == "it" and slots["urgency"] == "stat"
