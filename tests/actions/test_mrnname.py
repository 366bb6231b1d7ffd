"""A lower-case name typed beside the MRN ("need an appt for arjun johnson 10002695")."""

from __future__ import annotations

import pytest

from actions.formats import MrnFormat
from actions.mrnname import name_before_mrn, name_in_request
from tests.actions.test_forms import validate


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("need an appt for arjun johnson 10002695 in derm", "Arjun Johnson"),
        ("book arjun johnson 10002695 into derm", "Arjun Johnson"),
        ("cardiology for arjun johnson mrn 10002695", "Arjun Johnson"),
        ("need an appt for 10002695 in derm", None),
        ("book friday morning 10002695", None),
        ("i need to book in 10002695", None),
    ],
)
def test_mrnname_the_words_before_the_mrn_are_the_name(text, name):
    assert name_before_mrn(text, MrnFormat()) == name


async def test_mrnname_a_lower_case_name_in_a_booking_request_is_taken():
    text = "need an appt for mary smith 10004821 in cardiology"
    entities = [
        {"entity": "mrn", "value": "10004821", "start": 28, "end": 36},
        {"entity": "department", "value": "cardiology", "start": 40, "end": 50},
    ]
    slots, messages, _ = await validate(
        "book_appointment_form",
        set_now={"mrn": "10004821", "department": "cardiology"},
        intent="book_appointment",
        text=text,
        entities=entities,
        user="s.ali",
    )
    assert slots.get("patient_name") == "Mary Smith"
    assert not any(m.get("custom", {}).get("kind") == "ask_patient_name" for m in messages)


async def test_mrnname_a_tagged_clinic_before_the_mrn_is_no_name():
    text = "book tomorrow podiatry 10004821"
    entities = [
        {"entity": "time", "value": "tomorrow", "start": 5, "end": 13},
        {"entity": "department", "value": "podiatry", "start": 14, "end": 22},
        {"entity": "mrn", "value": "10004821", "start": 23, "end": 31},
    ]
    slots, _, _ = await validate(
        "book_appointment_form",
        set_now={"mrn": "10004821"},
        intent="book_appointment",
        text=text,
        entities=entities,
        user="s.ali",
    )
    assert slots.get("patient_name") is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("book emily lloyd into dermatology", "Emily Lloyd"),
        ("need an appt for emily lloyd", "Emily Lloyd"),
        ("book a follow up for arjun johnson tomorrow", "Arjun Johnson"),
        ("cancel emily lloyd's appointment", "Emily Lloyd"),
        ("can you book ngozi price in for physio", "Ngozi Price"),
        ("book a slot for tomorrow morning", None),
        ("book him in for next week", None),
        ("book for cardiology clinic", None),
        ("book in for a review", None),
        ("book an appt for mrs jones", None),
        ("book her in on friday", None),
    ],
)
def test_mrnname_a_name_in_a_request_without_an_mrn(text, name):
    assert name_in_request(text) == name


async def test_mrnname_a_lower_case_name_without_its_mrn_in_the_request_is_taken():
    # "book emily lloyd into dermatology" asked "What is the patient's full name?"
    text = "book mary smith into cardiology"
    entities = [{"entity": "department", "value": "cardiology", "start": 21, "end": 31}]
    slots, messages, _ = await validate(
        "book_appointment_form",
        set_now={"department": "cardiology"},
        intent="book_appointment",
        text=text,
        entities=entities,
        user="s.ali",
    )
    assert slots.get("patient_name") == "Mary Smith"
    assert not any(m.get("custom", {}).get("kind") == "ask_patient_name" for m in messages)
