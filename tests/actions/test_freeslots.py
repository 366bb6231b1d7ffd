"""A clinic's free slots asked without booking: times only, no patient, audited."""

from __future__ import annotations

import pytest

from actions.freeslots import ActionCheckFreeSlots
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def test_freeslots_lists_the_nearest_free_times_and_books_nothing(services):
    trk = tracker(
        "s.ali",
        intent="check_free_slots",
        slots={"department": "cardiology", "time": "tomorrow at 10:30"},
    )
    messages, _ = await run(ActionCheckFreeSlots(), trk)
    (reply,) = messages
    assert reply["custom"]["kind"] == "check_free_slots_success"
    assert reply["custom"]["phi"] is False
    assert [s["id"] for s in reply["custom"]["data"]["slots"]] == ["slot-2", "slot-3", "slot-4"]
    assert "10:30" in reply["text"]
    assert reply["buttons"][0]["payload"].startswith("/book_appointment")
    assert not any(c[0] == "book" for c in services.hms.calls)
    (event,) = services.audit.events
    assert (event.intent, event.outcome, event.patient_ref) == ("check_free_slots", "success", None)


async def test_freeslots_none_free_says_so(services):
    from dataclasses import replace

    services.hms.slots[:] = [replace(s, status="busy") for s in services.hms.slots]
    trk = tracker("s.ali", intent="check_free_slots", slots={"department": "cardiology"})
    messages, _ = await run(ActionCheckFreeSlots(), trk)
    assert messages[0]["custom"]["kind"] == "check_free_slots_none"


@pytest.mark.parametrize("user", ["p.kim", "c.sam", "b.okoro"])
async def test_freeslots_needs_the_booking_permission(services, user):
    trk = tracker(user, intent="check_free_slots", slots={"department": "cardiology"})
    messages, _ = await run(ActionCheckFreeSlots(), trk)
    assert messages[0]["custom"]["kind"] == "check_free_slots_denied"


async def test_freeslots_keeps_the_times_shown_for_a_booking_next(services):
    # "book the 2nd for ..." next picks one of these: the times are kept, no patient
    trk = tracker("s.ali", intent="check_free_slots", slots={"department": "cardiology"})
    messages, events = await run(ActionCheckFreeSlots(), trk)
    shown = [s["start"] for s in messages[0]["custom"]["data"]["slots"]]
    last = [e["value"] for e in events if e.get("name") == "last_task"][-1]
    assert last["intent"] == "check_free_slots" and last["shown_slots"] == shown
