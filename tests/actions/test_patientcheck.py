"""The patient a form is given is checked while the form still asks (actions.patientcheck)."""

from __future__ import annotations

import pytest

from actions.services import set_services
from tests.actions.fakes import make_services
from tests.actions.test_forms import kinds, validate


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def test_patientcheck_unknown_mrn_in_a_booking_is_said_at_once_and_asked_again():
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith"},
        requested="mrn",
        text="10000000",
        set_now={"mrn": "10000000"},
    )
    assert kinds(messages)[0] == "unknown_patient"
    assert slots["mrn"] is None and slots["requested_slot"] == "mrn"
    assert slots["misses"] == "mrn:1"
    assert "10000000" not in messages[0]["text"]  # nothing about the patient said back


async def test_patientcheck_mrn_of_another_patient_takes_back_only_the_mrn():
    slots, messages, _ = await validate(
        "cancel_appointment_form",
        filled={"patient_name": "Mary Smith"},
        requested="mrn",
        text="10009999",
        set_now={"mrn": "10009999"},
        misses="mrn:1",
    )
    assert kinds(messages)[0] == "unknown_patient"
    assert slots["mrn"] is None and "patient_name" not in slots
    assert slots["misses"] == "mrn:2" and slots["requested_slot"] == "mrn"


async def test_patientcheck_known_patient_goes_on_to_the_next_question():
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith"},
        requested="mrn",
        text="10004821",
        set_now={"mrn": "10004821"},
    )
    assert "unknown_patient" not in kinds(messages)
    assert slots["mrn"] == "10004821" and slots["requested_slot"] == "department"


async def test_patientcheck_finding_an_unknown_name_asks_again_and_the_third_miss_ends():
    for misses, expected, asked in (
        (None, "patient_name:1", "patient_name"),
        ("patient_name:2", "patient_name:3", None),
    ):
        slots, messages, _ = await validate(
            "find_patient_form",
            requested="patient_name",
            text="Zebedee Quartermaine",
            set_now={"patient_name": "Zebedee Quartermaine"},
            misses=misses,
            user="b.okoro",
        )
        assert kinds(messages)[0] == "unknown_patient"
        assert slots["patient_name"] is None
        assert slots["misses"] == expected and slots["requested_slot"] == asked
