""" "ok carry on" while a form started by a digression asks its first question."""

from __future__ import annotations

import pytest

from actions.fallback import ActionFallback
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker

BOOKING = {
    "intent": "book_appointment",
    "form": "book_appointment_form",
    "slots": {"patient_name": "Mary Smith", "mrn": "10004821", "department": "physiotherapy"},
}


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize("text", ["ok carry on", "where were we", "ok go back to it"])
async def test_carryon_while_a_digression_asks_goes_back_to_the_task(text):
    # "hmm is there a porter free" mid-booking started a porter request; "ok carry on" then
    # was "Sorry, I didn't get that" and the porter's "Which ward?" again
    slots = {"stash": BOOKING, "help_type": "porter", "requested_slot": "ward"}
    trk = tracker(
        "n.jones", intent="affirm", text=text, slots=slots, active_loop="request_help_form"
    )
    messages, events = await run(ActionFallback(), trk)
    assert not any(m["custom"]["kind"].startswith("nlu_fallback") for m in messages)
    loops = [e.get("name") for e in events if e["event"] == "active_loop"]
    assert loops[-1] == "book_appointment_form"
    last = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert last["patient_name"] == "Mary Smith" and last["help_type"] is None
    assert last["stash"] is None and last["requested_slot"] == "time"


async def test_carryon_with_nothing_interrupted_is_no_going_back_and_no_miss():
    slots = {"help_type": "porter", "requested_slot": "ward"}
    trk = tracker(
        "n.jones",
        intent="affirm",
        text="ok carry on",
        slots=slots,
        active_loop="request_help_form",
    )
    _, events = await run(ActionFallback(), trk)
    assert not any(
        e["event"] == "active_loop" and e.get("name") == "book_appointment_form" for e in events
    )


async def test_carryon_read_as_a_yes_while_a_form_asks_is_no_miss():
    # "ok carry on" (NLU: affirm) at "When would suit?" with nothing interrupted was "Sorry,
    # I didn't get that"; the form's question is asked again instead
    from actions.flow import ActionContinue

    slots = {"patient_name": "Mary Smith", "mrn": "10004821", "requested_slot": "time"}
    trk = tracker(
        "s.ali",
        intent="affirm",
        text="ok carry on",
        slots=slots,
        active_loop="book_appointment_form",
    )
    messages, events = await run(ActionContinue(), trk)
    assert messages == [] and not any(e.get("name") == "fallbacks" for e in events)
