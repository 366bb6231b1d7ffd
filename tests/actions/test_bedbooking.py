"""A bed asked to be booked is told plainly that beds are not booked here
(``actions/bedbooking.py``): it was taken as an outpatient booking."""

from __future__ import annotations

import pytest

from actions.bedbooking import books_a_bed
from actions.fallback import ActionFallback
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker

FREE_BEDS = [
    {"event": "user", "text": "is there a bed free on seven", "parse_data": {}},
    {
        "event": "bot",
        "text": "Ward 7 has 5 free beds",
        "data": {"custom": {"kind": "check_bed_availability_success"}},
    },
]
RANKING = (
    {"name": "nlu_fallback", "confidence": 0.4},
    {"name": "book_appointment", "confidence": 0.38},
)


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def turn(text: str, intent: str = "book_appointment", entities=()) -> Turn:
    return Turn(intent, 0.9, text, tuple(entities), None, RANKING)


@pytest.mark.parametrize(
    ("text", "after_beds", "entities", "meant"),
    [
        ("book it for the patient in ed", True, (), True),
        ("reserve bed 3 for him", False, (), True),
        ("can you hold a side room", False, (), True),
        ("book it for the patient in ed", False, (), False),  # no bed spoken of
        ("book one in cardiology", True, ({"entity": "department", "value": "cardiology"},), False),
        ("book Emily Lloyd an appointment", True, (), False),
    ],
)
def test_bedbooking_a_bed_asked_for_not_an_appointment(text, after_beds, entities, meant):
    events = [*(FREE_BEDS if after_beds else []), {"event": "user", "text": text, "parse_data": {}}]
    trk = tracker("n.jones", text=text, events=events)
    assert books_a_bed(trk, turn(text, entities=entities)) is meant


async def test_bedbooking_fallback_says_beds_are_not_booked_and_asks_nothing(services):
    text = "book it for the patient in ed"
    events = [*FREE_BEDS, {"event": "user", "text": text, "parse_data": {}}]
    trk = tracker("n.jones", intent="nlu_fallback", text=text, events=events)
    trk.latest_message["intent_ranking"] = list(RANKING)
    messages, out = await run(ActionFallback(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["bed_booking_not_done"]
    assert not any(e.get("event") == "active_loop" and e.get("name") for e in out)
