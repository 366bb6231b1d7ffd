"""Whole appointment conversations (book, cancel, reschedule, list) through the REST channel.

Each booking is checked in the HMS afterwards: the appointment exists for the patient on the
chosen slot and the slot is busy; a cancellation frees the slot again.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.scenario.scenario_kit import (
    APPOINTMENT_PAYLOAD,
    Chat,
    Hms,
    Turn,
    denial_of,
    slot_choices,
)

pytestmark = pytest.mark.stack


def offered(turn: Turn) -> bool:
    return bool(slot_choices(turn)) or "no free" in turn.text.lower()


def test_appointments_book_interrupted_by_bed_question_then_confirmed(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient = hms.outpatient(skip=0)
    booked_before = {a["id"] for a in hms.booked(patient.id)}
    free_4b = hms.free_beds("4B")

    turn = chat.say("i need to book a cardiology appt for a pt")
    assert turn.asks() == "patient_name", chat.transcript()
    chat.say(patient.full_name)
    # side question in the middle of the form: answered, then the booking is offered again
    side = chat.say("actually how many free beds on 4B?")
    assert f"Ward 4B has {free_4b} free bed" in side.text, chat.transcript()
    assert side.data("resume_offer") == {"intent": "book_appointment"}, chat.transcript()
    assert chat.say("yes").asks() == "mrn", chat.transcript()
    turn = chat.fill(
        {"mrn": patient.mrn, "time": "tomorrow morning", "department": "cardiology"}, offered
    )
    first = slot_choices(turn)
    assert len(first) == 3, chat.transcript()

    # "other times" offers later slots
    turn = chat.say("no, other times")
    later = slot_choices(turn)
    assert later and not set(later) & set(first), chat.transcript()
    chosen = later[0]
    turn = chat.say(turn.payload(chosen))
    assert turn.text.startswith(f"Book {patient.initials} (MRN ending {patient.mrn[-4:]})"), (
        chat.transcript()
    )
    turn = chat.say("yes")
    assert turn.text.startswith(f"Booked: {patient.initials}"), chat.transcript()

    new = [a for a in hms.booked(patient.id) if a["id"] not in booked_before]
    assert len(new) == 1, chat.transcript()
    assert new[0]["slot"][0]["reference"] == f"Slot/{chosen}"
    assert hms.slot(chosen)["status"] == "busy"
    # the full name and MRN were never echoed back
    assert patient.full_name not in "\n".join(t.text for t in chat.turns)
    assert patient.mrn not in "\n".join(t.text for t in chat.turns)


def test_appointments_other_times_in_own_words(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient = hms.outpatient(skip=13)
    chat.say("book a cardiology appt")
    turn = chat.fill(
        {
            "patient_name": patient.full_name,
            "mrn": patient.mrn,
            "time": "next week",
            "department": "cardiology",
        },
        offered,
    )
    first = slot_choices(turn)
    turn = chat.say("none of those work, other times please")
    later = slot_choices(turn)
    assert later and not set(later) & set(first), chat.transcript()


def test_appointments_book_in_one_sentence_by_clinician(stack):
    hms, chat = Hms(stack), Chat(stack, "dr.patel")
    patient = hms.outpatient(skip=1)
    before = len(hms.booked(patient.id))
    chat.say(f"book {patient.full_name} mrn {patient.mrn} into dermatology next week")
    turn = chat.fill(
        {
            "patient_name": patient.full_name,
            "mrn": patient.mrn,
            "department": "dermatology",
            "time": "next week",
        },
        offered,
    )
    slot_id = slot_choices(turn)[0]
    chat.say(turn.payload(slot_id))
    turn = chat.say("yep go ahead")
    assert turn.text.startswith("Booked:") and "Dermatology Clinic" in turn.text, chat.transcript()
    assert len(hms.booked(patient.id)) == before + 1
    assert hms.slot(slot_id)["status"] == "busy"


def test_appointments_book_wrong_name_for_mrn_is_refused(stack):
    hms, chat = Hms(stack), Chat(stack, "s.ali")
    patient, other = hms.outpatient(skip=2), hms.outpatient(skip=3)
    before = len(hms.booked(patient.id))
    chat.say("book an appointment")
    turn = chat.fill(
        {
            "patient_name": other.full_name,
            "mrn": patient.mrn,
            "department": "ent",
            "time": "tomorrow",
        },
        lambda t: "don't belong to the same patient" in t.text or offered(t),
    )
    assert "don't belong to the same patient" in turn.text, chat.transcript()
    assert len(hms.booked(patient.id)) == before


def test_appointments_stop_abandons_booking(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient = hms.outpatient(skip=4)
    before = len(hms.booked(patient.id))
    chat.say("book appt in neuro")
    chat.fill({"patient_name": patient.full_name}, lambda t: t.asks() == "mrn")
    turn = chat.say("stop")
    assert "OK, I've stopped. Nothing was changed." in turn.text, chat.transcript()
    turn = chat.say("thanks")
    assert "welcome" in turn.text.lower(), chat.transcript()
    assert len(hms.booked(patient.id)) == before


def test_appointments_deny_at_confirmation_offers_other_slots(stack):
    hms, chat = Hms(stack), Chat(stack, "s.ali")
    patient = hms.outpatient(skip=5)
    before = len(hms.booked(patient.id))
    chat.say("book an ophthalmology appointment")
    turn = chat.fill(
        {
            "patient_name": patient.full_name,
            "mrn": patient.mrn,
            "time": "next monday",
            "department": "ophthalmology",
        },
        offered,
    )
    chat.say(turn.payload(slot_choices(turn)[0]))
    turn = chat.say("no")
    assert slot_choices(turn), chat.transcript()
    assert len(hms.booked(patient.id)) == before


def test_appointments_cancel_frees_the_slot(stack):
    hms, chat = Hms(stack), Chat(stack, "s.ali")
    patient = hms.outpatient(skip=6)
    appts = hms.booked(patient.id)
    target = appts[-1]
    slot_id = target["slot"][0]["reference"].removeprefix("Slot/")
    chat.say(f"cancel the appt for {patient.full_name}")
    turn = chat.fill(
        {"patient_name": patient.full_name, "mrn": patient.mrn},
        lambda t: t.text.startswith(("Which appointment", "Cancel ")),
    )
    if turn.text.startswith("Which appointment"):
        turn = chat.say(turn.payload(APPOINTMENT_PAYLOAD % re.escape(target["id"])))
    assert turn.text.startswith(f"Cancel {patient.initials}'s"), chat.transcript()
    turn = chat.say("yes please")
    assert turn.text.startswith("Cancelled the appointment"), chat.transcript()
    assert hms.get(f"Appointment/{target['id']}")["status"] == "cancelled"
    assert hms.slot(slot_id)["status"] == "free"
    assert len(hms.booked(patient.id)) == len(appts) - 1


def test_appointments_cancel_declined_keeps_it(stack):
    hms, chat = Hms(stack), Chat(stack, "dr.patel")
    patient = hms.outpatient(skip=7)
    appts = hms.booked(patient.id)
    chat.say("need to cancel an appointment")
    turn = chat.fill(
        {"patient_name": patient.full_name, "mrn": patient.mrn},
        lambda t: t.text.startswith(("Which appointment", "Cancel ")),
    )
    if turn.text.startswith("Which appointment"):
        turn = chat.say(turn.payload(APPOINTMENT_PAYLOAD % re.escape(appts[0]["id"])))
    turn = chat.say("no")
    assert "left the appointment as it is" in turn.text, chat.transcript()
    assert len(hms.booked(patient.id)) == len(appts)


def test_appointments_reschedule_moves_the_booking(stack):
    hms, chat = Hms(stack), Chat(stack, "s.ali")
    patient = hms.outpatient(skip=8)
    appts = hms.booked(patient.id)
    old = appts[-1]
    chat.say(f"can you move {patient.full_name}'s appointment")
    turn = chat.fill(
        {"patient_name": patient.full_name, "mrn": patient.mrn, "time": "in two weeks"},
        lambda t: t.text.startswith("Which appointment") or offered(t),
    )
    if turn.text.startswith("Which appointment"):
        turn = chat.say(turn.payload(APPOINTMENT_PAYLOAD % re.escape(old["id"])))
    slot_id = slot_choices(turn)[0]
    turn = chat.say(turn.payload(slot_id))
    assert turn.text.startswith(f"Move {patient.initials}"), chat.transcript()
    turn = chat.say("yes")
    assert turn.text.startswith(f"Moved: {patient.initials}"), chat.transcript()
    assert hms.get(f"Appointment/{old['id']}")["status"] == "cancelled"
    assert hms.slot(slot_id)["status"] == "busy"
    now = {a["slot"][0]["reference"] for a in hms.booked(patient.id)}
    assert f"Slot/{slot_id}" in now and len(now) == len(appts)


def test_appointments_list_matches_hms(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient = hms.outpatient(skip=9)
    count = len(hms.booked(patient.id))
    turn = chat.say(f"what appts does {patient.full_name} mrn {patient.mrn} have")
    assert (
        f"Booked appointments for {patient.initials} (MRN ending {patient.mrn[-4:]})" in turn.text
    ), chat.transcript()
    listed = turn.text.split(": ", 1)[1].split("; ")
    assert len(listed) == min(8, count), chat.transcript()


@pytest.mark.parametrize(
    ("user", "role"),
    [
        ("p.kim", "porter"),
        ("c.sam", "housekeeping"),
        ("h.lee", "helpdesk"),
        ("b.okoro", "bed_manager"),
    ],
)
def test_appointments_booking_refused_for_roles_without_permission(stack, user, role):
    hms, chat = Hms(stack), Chat(stack, user)
    patient = hms.outpatient(skip=10)
    before = len(hms.booked(patient.id))
    chat.say("book a cardiology appointment tomorrow")
    turn = chat.fill(
        {
            "patient_name": patient.full_name,
            "mrn": patient.mrn,
            "department": "cardiology",
            "time": "tomorrow",
        },
        denial_of("appointments:book", role),
    )
    assert "Booking appointments needs the nurse, clinician or scheduler role" in turn.text
    assert len(hms.booked(patient.id)) == before


def test_appointments_porter_refused_before_giving_patient_details(stack):
    """No patient details are collected from a role that cannot book."""
    chat = Chat(stack, "p.kim")
    turn = chat.say("book a cardiology appointment tomorrow")
    assert denial_of("appointments:book", "porter")(turn), chat.transcript()


def test_appointments_list_own_clinic_today_matches_hms(stack):
    hms, chat = Hms(stack), Chat(stack, "dr.patel")
    today = datetime.now(ZoneInfo(stack.env.get("HOSPITAL_TZ", "Europe/London"))).date()
    count = hms.total(
        "Appointment",
        practitioner="Practitioner/prac-dr-patel",
        status="booked",
        date=today.isoformat(),
    )
    turn = chat.say("what appointments do i have today")
    if count:
        data = turn.data("list_clinic_appointments_success")
        assert data["count"] == count and data["date"] == today.isoformat(), chat.transcript()
    else:
        assert turn.kinds == ["list_clinic_appointments_none"], chat.transcript()


def test_appointments_list_with_mrn_only_asks_for_the_name(stack):
    hms, chat = Hms(stack), Chat(stack, "s.ali")
    patient = hms.outpatient(skip=14)
    turn = chat.say(f"list appts for mrn {patient.mrn}")
    assert "don't belong to the same patient" not in turn.text, chat.transcript()


@pytest.mark.parametrize(
    ("user", "role", "text", "permission"),
    [
        ("p.kim", "porter", "show me the appointments for mrn {mrn}", "appointments:read"),
        ("c.sam", "housekeeping", "cancel the appointment for mrn {mrn}", "appointments:cancel"),
        ("b.okoro", "bed_manager", "reschedule the appt for mrn {mrn}", "appointments:cancel"),
    ],
)
def test_appointments_other_tasks_refused_for_roles_without_permission(
    stack, user, role, text, permission
):
    hms, chat = Hms(stack), Chat(stack, user)
    patient = hms.outpatient(skip=15)
    before = len(hms.booked(patient.id))
    chat.say(text.format(mrn=patient.mrn))
    turn = chat.fill(
        {"patient_name": patient.full_name, "mrn": patient.mrn, "time": "next week"},
        denial_of(permission, role),
    )
    assert patient.initials not in turn.text, chat.transcript()
    assert len(hms.booked(patient.id)) == before
