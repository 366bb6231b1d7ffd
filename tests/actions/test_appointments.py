"""Booking, cancelling, rescheduling and listing appointments."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from actions.appointments import (
    ActionBookAppointment,
    ActionCancelAppointment,
    ActionListAppointments,
)
from actions.reschedule import ActionRescheduleAppointment
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker

PATIENT = {"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"}


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def book(user="n.jones", intent="book_appointment", **slots):
    return tracker(user, intent=intent, slots={**PATIENT, **slots})


async def test_appointments_offers_three_nearest_slots_as_buttons(services):
    messages, events = await run(ActionBookAppointment(), book(time="tomorrow at 10:30"))
    buttons = messages[0]["buttons"]
    ids = [json.loads(b["payload"].removeprefix("/inform"))["slot_id"] for b in buttons[:-1]]
    assert ids == ["slot-2", "slot-3", "slot-4"]  # 10:00, 10:30, 11:00
    assert buttons[-1] == {"title": "Other times", "payload": "/deny"}
    assert slots_of(events)["pending"] == "book_offer"
    assert services.audit.events[0].patient_ref == "Patient/p-1"


async def test_appointments_requires_mrn_and_name_of_same_patient(services):
    messages, _ = await run(ActionBookAppointment(), book(patient_name="John Doe"))
    assert "don't belong to the same patient" in messages[0]["text"]
    assert not any(c[0] == "free_slots" for c in services.hms.calls)
    assert services.audit.events[0].outcome == "not_found"


async def test_appointments_chosen_slot_asks_for_confirmation(services):
    trk = book(intent="inform", pending="book_offer", slot_id="slot-1")
    messages, events = await run(ActionBookAppointment(), trk)
    assert messages[0]["text"].startswith("Book MS (MRN ending 4821) into Cardiology Clinic")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert messages[0]["custom"]["phi"] is True
    assert slots_of(events)["pending"] == "book_confirm"


async def test_appointments_confirm_books_the_slot(services):
    trk = book(intent="affirm", pending="book_confirm", slot_id="slot-1")
    messages, events = await run(ActionBookAppointment(), trk)
    assert messages[0]["text"].startswith("Booked: MS (MRN ending 4821)")
    assert "Mary" not in messages[0]["text"]
    assert services.hms.appointments[0].slot_id == "slot-1"
    assert slots_of(events)["pending"] is None
    [event] = services.audit.events
    assert event.outcome == "success" and event.resource == "Appointment/appt-1"


async def test_appointments_conflict_at_confirm_offers_fresh_slots(services):
    hms = services.hms
    hms.slots[1] = replace(hms.slots[1], status="busy")  # taken by someone else meanwhile
    trk = book(intent="affirm", pending="book_confirm", slot_id="slot-1")
    messages, events = await run(ActionBookAppointment(), trk)
    assert messages[0]["text"].startswith("That slot was just taken by someone else.")
    offered = [b["payload"] for b in messages[0]["buttons"]]
    assert all("slot-1" not in p for p in offered) and len(offered) == 4
    assert slots_of(events)["pending"] == "book_offer"
    assert services.audit.events[0].outcome == "conflict"
    assert hms.appointments == []


async def test_appointments_deny_offers_later_times(services):
    first, events = await run(ActionBookAppointment(), book())
    after = slots_of(events)["offer_after"]
    trk = book(intent="deny", pending="book_offer", offer_after=after)
    messages, _ = await run(ActionBookAppointment(), trk)
    assert "slot-3" in messages[0]["buttons"][0]["payload"]


async def test_appointments_denied_for_porter_with_audit(services):
    messages, _ = await run(ActionBookAppointment(), book("p.porter"))
    assert "appointments:book" in messages[0]["text"]
    assert services.audit.events[0].outcome == "denied"


async def test_appointments_cancel_single_appointment_confirms_then_cancels(services):
    await services.hms.book("p-1", "slot-0")
    messages, events = await run(ActionCancelAppointment(), book(intent="cancel_appointment"))
    assert slots_of(events) == {"pending": "cancel_confirm", "appointment_id": "appt-1"}
    trk = book(intent="affirm", pending="cancel_confirm", appointment_id="appt-1")
    messages, _ = await run(ActionCancelAppointment(), trk)
    assert messages[0]["text"].startswith("Cancelled the appointment")
    assert services.hms.appointments[0].status == "cancelled"


async def test_appointments_reschedule_books_new_and_cancels_old(services):
    await services.hms.book("p-1", "slot-0")
    messages, events = await run(
        ActionRescheduleAppointment(), book(intent="reschedule_appointment", time="tomorrow")
    )
    assert slots_of(events)["pending"] == "reschedule_offer"
    trk = book(
        intent="affirm", pending="reschedule_confirm", slot_id="slot-5", appointment_id="appt-1"
    )
    messages, _ = await run(ActionRescheduleAppointment(), trk)
    assert messages[0]["text"].startswith("Moved:")
    statuses = {a.slot_id: a.status for a in services.hms.appointments}
    assert statuses == {"slot-0": "cancelled", "slot-5": "booked"}


async def test_appointments_list_for_patient(services):
    await services.hms.book("p-1", "slot-0")
    messages, _ = await run(ActionListAppointments(), book(intent="list_appointments"))
    assert "Cardiology" in messages[0]["text"] and messages[0]["custom"]["phi"] is True


async def test_appointments_offers_distinct_times(services):
    hms = services.hms
    hms.slots.append(replace(hms.slots[0], id="slot-other-clinician", practitioner_id="pr-x"))
    messages, _ = await run(ActionBookAppointment(), book())
    titles = [b["title"] for b in messages[0]["buttons"][:-1]]
    assert len(set(titles)) == 3
