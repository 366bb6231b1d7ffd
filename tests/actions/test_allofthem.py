"""'all of them' while a patient's appointments are offered to cancel: one at a time."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.appointments import ActionCancelAppointment
from actions.flow import ActionGoodbye
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker

MARY = {"patient_name": "Mary Smith", "mrn": "10004821"}


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def _two_booked(services):
    await services.hms.book("p-1", "slot-0")
    await services.hms.book("p-1", "slot-3")


async def test_allofthem_cancel_all_says_one_at_a_time_and_offers_them(services):
    # "cancel all of ... appointments" gave a plain pick list; "all of them" then said
    # "Goodbye." (NLU: a goodbye)
    await _two_booked(services)
    trk = tracker(
        "s.ali",
        intent="cancel_appointment",
        text="cancel all of Mary Smith's appointments",
        slots=MARY,
    )
    messages, _ = await run(ActionCancelAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "cancel_appointment_pick"
    assert "one at a time" in messages[0]["text"] and len(messages[0]["buttons"]) == 2


async def test_allofthem_all_of_them_read_as_goodbye_at_a_pick_is_no_goodbye(services):
    await _two_booked(services)
    state = {**MARY, "pending": "cancel_appointment:pick"}
    events: list[dict] = [
        *({"event": "slot", "name": k, "value": v} for k, v in state.items()),
        {"event": "user", "text": "all of them", "parse_data": {}},
    ]
    trk = tracker("s.ali", intent="goodbye", text="all of them", slots=state, events=events)
    dispatcher = CollectingDispatcher()
    await ActionGoodbye().run(dispatcher, trk, {})
    kinds = [m["custom"]["kind"] for m in dispatcher.messages]
    assert "goodbye_answer" not in kinds and "cancel_appointment_pick" in kinds
    assert "one at a time" in dispatcher.messages[0]["text"]
