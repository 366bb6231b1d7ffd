"""Booking details said one per message with no task in hand build a booking."""

from __future__ import annotations

from typing import Any

import pytest

from actions.bookdetails import building_a_booking, details_in
from actions.fallback import ActionFallback
from actions.flow import ActionContinue
from actions.services import set_services
from tests.actions.fakes import NOW, make_services, run, tracker

TZ = "Europe/London"
NGOZI = [{"entity": "patient_name", "value": "Ngozi Price", "start": 4, "end": 15}]
DIABETES = [{"entity": "department", "value": "diabetes", "start": 0, "end": 8}]


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def _after(said: list[tuple[str, list[dict[str, Any]], str]], text: str, entities, intent):
    """The latest message ``text`` after ``said``: (text, entities, kind of the reply)."""
    events: list[dict[str, Any]] = []
    for earlier, found, kind in said:
        events.append({"event": "user", "text": earlier, "parse_data": {"entities": found}})
        events.append({"event": "bot", "text": "...", "data": {"custom": {"kind": kind}}})
    events.append({"event": "user", "text": text, "parse_data": {"entities": entities}})
    return tracker("s.ali", intent=intent, text=text, entities=entities, events=events)


@pytest.mark.parametrize(
    ("text", "entities", "details"),
    [
        ("at 11am", [], {"time": "at 11am"}),
        ("for Ngozi Price", NGOZI, {"patient_name": "Ngozi Price"}),
        ("diabetes clinic", DIABETES, {"department": "diabetes"}),
        ("where is Ngozi Price", [{**NGOZI[0], "start": 9, "end": 20}], {}),
        ("who is in diabetes clinic today", [{**DIABETES[0], "start": 10, "end": 18}], {}),
    ],
)
def test_bookdetails_a_message_of_booking_details_only(text, entities, details):
    assert details_in(text, entities, NOW, TZ) == details


async def test_bookdetails_details_in_consecutive_messages_not_understood_start_a_booking():
    # "at 11am" (not understood) / "for Ngozi Price": the booking form, with both
    trk = _after(
        [("at 11am", [], "nlu_fallback_rephrase")], "for Ngozi Price", NGOZI, "nlu_fallback"
    )
    assert building_a_booking(trk, NOW, TZ) == {"time": "at 11am", "patient_name": "Ngozi Price"}
    _, events = await run(ActionFallback(), trk)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "book_appointment_form"}
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["time"] == "at 11am" and slots["patient_name"] == "Ngozi Price"
    # an "inform" reading (served by action_continue) builds it too
    trk = _after(
        [("for Ngozi Price", NGOZI, "nlu_fallback_rephrase")],
        "on wednesday",
        [{"entity": "time", "value": "on wednesday", "start": 0, "end": 12}],
        "inform",
    )
    _, events = await run(ActionContinue(), trk)
    assert events[-1]["name"] == "book_appointment_form"


@pytest.mark.parametrize(
    "said",
    [
        [],  # a lone "diabetes clinic": the clinic's list, as before
        [("diabetes clinic", DIABETES, "list_clinic_appointments_success")],  # answered
        [("for Ngozi Price", NGOZI, "nlu_fallback_rephrase")],  # the same kind again
        [("hmm what", [], "nlu_fallback_rephrase")],  # no detail before
    ],
)
def test_bookdetails_a_lone_detail_or_one_after_an_answer_builds_nothing(said):
    trk = _after(said, "for Ngozi Price", NGOZI, "nlu_fallback")
    assert building_a_booking(trk, NOW, TZ) is None
