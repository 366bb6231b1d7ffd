"""The shared offer of free slots (actions.scheduling): what it says about the time asked."""

from __future__ import annotations

import pytest

from actions.appointments import ActionBookAppointment
from actions.scheduling import slots_in
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker

PATIENT = {"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"}


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def _book(time: str, **slots):
    return tracker(
        "s.ali", intent="book_appointment", text=f"book Mary Smith at {time}",
        slots={**PATIENT, "time": time, **slots},
    )  # fmt: skip


async def test_scheduling_offer_says_the_exact_time_asked_is_not_free(services):
    # "book Kerry Demir 10001575 into neurology on wed 9 dec at 10:20" (10:20 taken) read
    # "Free Neurology Clinic slots: 09:40; 10:00; 11:00" - never saying 10:20 was not free
    messages, _ = await run(ActionBookAppointment(), _book("tomorrow at 10:15"))
    assert messages[0]["custom"]["kind"] == "book_appointment_offer"
    assert messages[0]["text"].startswith("Thu 3 Dec at 10:15 is not free; the nearest free ")


async def test_scheduling_offer_of_a_free_day_says_nothing_missed(services):
    messages, _ = await run(ActionBookAppointment(), _book("tomorrow morning"))
    assert messages[0]["text"].startswith("Free ")


async def test_scheduling_reoffer_without_a_new_time_does_not_say_it_again(services):
    # the time asked was said once; a re-offer after "hmm which?" does not repeat it
    trk = _book("tomorrow at 10:15", pending="book_appointment:offer")
    messages, _ = await run(ActionBookAppointment(), trk)
    assert "is not free" not in messages[-1]["text"]


async def _offered(services):
    _, events = await run(ActionBookAppointment(), _book("tomorrow morning"))
    state = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return {"pending": state["pending"], "offered": state["offered"]}


@pytest.mark.parametrize(
    ("text", "slot"), [("ok 10 then", "slot-2"), ("the 9 one", "slot-0"), ("10", "slot-2")]
)
async def test_scheduling_offered_slot_picked_by_its_bare_hour(services, text, slot):
    # "ok 11 then" to "Free Neurology Clinic slots: 09:40; 10:00; 11:00" was "Please pick
    # one of these." - the 11:00 slot offered is the one meant
    offered = await _offered(services)
    assert [s[11:16] for s in offered["offered"]["starts"]] == ["09:00", "09:30", "10:00"]
    trk = tracker(
        "s.ali", intent="inform", text=text,
        slots={**PATIENT, "time": "tomorrow morning", **offered},
    )  # fmt: skip
    messages, events = await run(ActionBookAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"
    confirmed = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}["confirmed"]
    assert confirmed["slot_id"] == slot


async def test_scheduling_a_number_that_could_be_a_choice_is_no_hour(services):
    offered = await _offered(services)
    trk = tracker(
        "s.ali", intent="inform", text="4",
        slots={**PATIENT, "time": "tomorrow morning", **offered},
    )  # fmt: skip
    messages, _ = await run(ActionBookAppointment(), trk)
    assert messages[0]["custom"]["kind"] != "book_appointment_confirm"


@pytest.mark.parametrize(
    ("what", "said"),
    [
        ("Dr Carter's clinic", "slots in Dr Carter's clinic"),
        ("your clinic", "slots in your clinic"),
        ("Cardiology Clinic", "Cardiology Clinic slots"),
    ],
)
def test_scheduling_slots_of_a_clinicians_clinic_read_in_their_clinic(what, said):
    # "any free slots with dr carter next week" read "Free Dr Carter's clinic slots: ..."
    assert slots_in(what) == said


async def test_scheduling_a_time_the_patient_is_booked_at_says_so(services):
    # "book Leo Okafor 10013521 into the 2nd one" right after Mon 7 Dec 09:30 was listed
    # free read "Mon 7 Dec at 09:30 is not free" - he has another appointment then
    await services.hms.book("p-1", "slot-2")  # Mary Smith, tomorrow 10:00-10:30
    messages, _ = await run(ActionBookAppointment(), _book("tomorrow at 10:00"))
    assert messages[0]["custom"]["kind"] == "book_appointment_offer"
    assert messages[0]["text"].startswith("The patient already has an appointment around ")
