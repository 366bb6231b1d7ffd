"""A patient's name typed in lower case in a where-is question is the name asked about."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import form_validator
from actions.locatename import name_located
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def said(text: str, entities: list[dict] | None = None) -> Turn:
    return Turn.of(tracker("n.jones", intent="find_patient", text=text, entities=entities))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("where is hamza campbell", "Hamza Campbell"),
        ("hang on where is hamza campbell?", "Hamza Campbell"),
        ("where's ngozi price", "Ngozi Price"),
        ("which bed is kerry demir in", "Kerry Demir"),
        ("what ward is emily lloyd on now", "Emily Lloyd"),
        ("find ngozi wright please", "Ngozi Wright"),
        ("locate patient arjun johnson", "Arjun Johnson"),
    ],
)
def test_locatename_a_lower_case_name_in_a_where_is_question_is_the_name(text, name):
    assert name_located(said(text)) == name


@pytest.mark.parametrize(
    "text",
    [
        "where is the porter",
        "find a free bed",
        "where is my request",
        "find a patient",
        "which bed is she in",
        "where is bed 4",
        "find patient",
    ],
)
def test_locatename_other_questions_name_no_one(text):
    assert name_located(said(text)) is None


def test_locatename_a_tagged_name_is_left_to_nlu():
    text = "where is Hamza Campbell"
    entity = {"entity": "patient_name", "value": "Hamza Campbell", "start": 9, "end": 23}
    assert name_located(said(text, [entity])) is None


async def test_locatename_the_find_takes_the_name_instead_of_asking_it():
    # "where is hamza campbell" (no name tagged) asked "What is the patient's full name?"
    text = "where is mary smith"  # (the fake HMS's patient)
    trk = tracker(
        "n.jones",
        intent="find_patient",
        text=text,
        active_loop="find_patient_form",
        events=[{"event": "user", "text": text, "parse_data": {}}],
    )
    out = await form_validator("find_patient_form")().run(CollectingDispatcher(), trk, {})
    set_to = {e["name"]: e["value"] for e in out if e["event"] == "slot"}
    assert set_to.get("patient_name") == "Mary Smith"
    assert set_to.get("requested_slot") != "patient_name"
