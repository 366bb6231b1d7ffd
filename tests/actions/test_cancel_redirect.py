"""A cancel NLU read as a help request's that names a patient or a clinic is an
appointment's: it cancelled a porter job (no confirmation) and left the appointment."""

from __future__ import annotations

import pytest

from actions.flow import ActionNewRequest, names_an_appointment
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def _ent(entity: str, value: str, text: str) -> dict:
    start = text.find(value)
    return {"entity": entity, "value": value, "start": start, "end": start + len(value)}


TEXT = "cancel Ngozi Price 10180589 physiotherapy on Tue 8 Dec at 09:00"


@pytest.mark.parametrize(
    ("text", "entities", "appointment"),
    [
        (TEXT, [("patient_name", "Ngozi Price"), ("mrn", "10180589")], True),
        ("cancel the physio one on friday", [("department", "physio")], True),
        (
            "cancel the porter for Kerry Demir",
            [("help_type", "porter"), ("patient_name", "Kerry Demir")],
            False,
        ),
        (
            "cancel HR-000002 for Kerry Demir",
            [("ticket_id", "HR-000002"), ("patient_name", "Kerry Demir")],
            False,
        ),
        ("cancel my porter request", [("help_type", "porter")], False),
    ],
)
def test_cancel_redirect_a_patient_or_clinic_named_is_an_appointment(text, entities, appointment):
    ents = tuple(_ent(e, v, text) for e, v in entities)
    assert names_an_appointment(Turn("cancel_help_request", 0.95, text, ents, None)) is appointment


async def test_cancel_redirect_serves_the_appointment_cancel_not_the_help_request(services):
    entities = [_ent("patient_name", "Ngozi Price", TEXT), _ent("mrn", "10180589", TEXT)]
    trk = tracker("s.ali", intent="cancel_help_request", text=TEXT, entities=entities)
    _, events = await run(ActionNewRequest(), trk)
    followups = [e["name"] for e in events if e["event"] == "followup"]
    assert followups == ["cancel_appointment_form"]


@pytest.mark.parametrize(
    ("entities", "watch"),
    [
        ([("ward", "CCU")], True),
        ([("ward", "CCU"), ("department", "cardiology")], False),
        ([("ward", "4B"), ("help_type", "porter")], False),
        ([], False),
    ],
)
def test_cancel_redirect_a_cancel_naming_only_a_ward_is_a_bed_watchs(entities, watch):
    # "cancel the CCU one" after setting a watch (NLU: an appointment's cancel) answered
    # "Cancelling appointments needs the appointments:cancel permission"
    from actions.flow import names_only_a_ward

    text = "cancel the CCU one"
    ents = tuple(_ent(e, v, text) for e, v in entities)
    assert names_only_a_ward(Turn("cancel_appointment", 0.8, text, ents, None)) is watch


async def test_cancel_redirect_serves_the_watch_cancel(services):
    text = "cancel the 4B one"
    trk = tracker(
        "b.okoro", intent="cancel_appointment", text=text, entities=[_ent("ward", "4B", text)]
    )
    messages, _ = await run(ActionNewRequest(), trk)
    assert messages[0]["custom"]["kind"].startswith("cancel_bed_watch")
