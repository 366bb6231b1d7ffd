"""Whole conversations: find a patient, help requests, the help desk, emergencies, small talk."""

from __future__ import annotations

import re

import pytest

from tests.scenario.scenario_kit import Chat, Hms, denial_of

pytestmark = pytest.mark.stack

TICKET = re.compile(r"\bHR-\d{6}\b")


# -- find_patient ----------------------------------------------------------------------


def said(name: str) -> str:
    """A bed's name as replies say it: a numbered ward's bed is "Ward 7 Bed 1"."""
    return f"Ward {name}" if name.split()[0].isdigit() else name


def test_people_find_patient_by_mrn_on_own_ward(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient, bed = hms.admitted("4B")
    turn = chat.say(f"where is pt mrn {patient.mrn}")
    assert turn.text.startswith(
        f"{patient.initials} (MRN ending {patient.mrn[-4:]}) is on Ward 4B"
    ), chat.transcript()
    assert bed["name"] in turn.text and bed["description"] in turn.text, chat.transcript()


def test_people_find_patient_by_name_bed_manager_any_ward(stack):
    hms, chat = Hms(stack), Chat(stack, "b.okoro")
    patient, bed = hms.admitted("7")
    turn = chat.say(f"where is patient {patient.full_name}")
    assert f"is on Ward 7, {bed['description']}, {said(bed['name'])}" in turn.text, (
        chat.transcript()
    )


def test_people_find_patient_asked_which_then_mrn(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient, bed = hms.admitted("4B", skip=1)
    turn = chat.say("can you find a patient for me")
    assert turn.asks() == "patient_name", chat.transcript()
    turn = chat.say(patient.mrn)
    assert f"is on Ward 4B, {bed['description']}, {said(bed['name'])}" in turn.text, (
        chat.transcript()
    )


def test_people_find_patient_asked_which_then_name(stack):
    hms, chat = Hms(stack), Chat(stack, "b.okoro")
    patient, bed = hms.admitted("7", skip=1)
    turn = chat.say("can you find a patient for me")
    assert turn.asks() == "patient_name", chat.transcript()
    turn = chat.say(patient.full_name)
    assert f"is on Ward 7, {bed['description']}, {said(bed['name'])}" in turn.text, (
        chat.transcript()
    )


def test_people_find_patient_not_admitted(stack):
    hms, chat = Hms(stack), Chat(stack, "b.okoro")
    patient = hms.outpatient(skip=11)
    stays = hms.entries("Encounter", patient=f"Patient/{patient.id}", status="in-progress")
    turn = chat.say(f"which bed is mrn {patient.mrn} in")
    if stays:
        assert " is on Ward " in turn.text, chat.transcript()
    else:
        assert "is not currently admitted" in turn.text, chat.transcript()


def test_people_find_patient_unknown_mrn(stack):
    chat = Chat(stack, "n.jones")
    turn = chat.say("locate patient 19999999")
    assert "couldn't find a patient with that MRN" in turn.text, chat.transcript()


def test_people_nurse_refused_patient_outside_own_ward(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient, bed = hms.admitted("ICU")
    turn = chat.say(f"where is mrn {patient.mrn}")
    assert "Locating patients on that ward is only for that ward's staff" in turn.text, (
        chat.transcript()
    )
    assert "you are signed in as nurse for 4B" in turn.text, chat.transcript()
    # the denial must not tell where the patient is
    for where in ("ICU", "Intensive Care", bed["name"], bed["description"], patient.initials):
        assert where not in turn.text, chat.transcript()


def test_people_ward_denial_names_the_role(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient, _ = hms.admitted("ICU")
    turn = chat.say(f"where is mrn {patient.mrn}")
    assert "nurse" in turn.text, chat.transcript()


@pytest.mark.parametrize(
    ("user", "role"),
    [("s.ali", "scheduler"), ("p.kim", "porter"), ("c.sam", "housekeeping"), ("h.lee", "helpdesk")],
)
def test_people_find_patient_refused_for_roles_without_permission(stack, user, role):
    hms, chat = Hms(stack), Chat(stack, user)
    patient, bed = hms.admitted("4B")
    turn = chat.say(f"where is patient {patient.mrn}")
    assert denial_of("patients:locate", role)(turn), chat.transcript()
    assert bed["name"] not in turn.text


# -- help requests -----------------------------------------------------------------------


def test_people_request_help_creates_task_with_told_ticket(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    chat.say("can i get a porter please")
    turn = chat.fill(
        {
            "help_type": "porter",
            "ward": "4B",
            "urgency": "urgent",
            "help_description": "wheelchair to x-ray from bay 2",
        },
        lambda t: t.text.startswith("Done:"),
    )
    ticket = TICKET.search(turn.text)
    assert ticket and "porter request" in turn.text, chat.transcript()
    [task] = hms.task(ticket.group())
    assert task["code"]["coding"][0]["code"] == "porter"
    assert task["priority"] == "urgent"
    assert task["location"]["reference"] == "Location/ward-4b"
    assert task["requester"]["reference"] == "Practitioner/prac-n-jones"

    # and the status question finds it
    turn = chat.say(f"any update on {ticket.group()}?")
    assert turn.text.startswith(f"{ticket.group()} porter: {task['status']}"), chat.transcript()
    turn = Chat(stack, "n.jones").say("status of my requests")
    assert ticket.group() in turn.text, turn.text


def test_people_request_help_interrupted_by_emergency(stack):
    hms, chat = Hms(stack), Chat(stack, "c.sam")
    before = hms.total("Task", requester="Practitioner/prac-c-sam")
    turn = chat.say("need IT help")
    assert turn.asks() in ("ward", "urgency", "help_description"), chat.transcript()
    number = stack.env.get("EMERGENCY_NUMBER", "2222")
    turn = chat.say("patient collapsed bay 3 cardiac arrest")
    assert f"call {number} now" in turn.text and turn.asks() is None, chat.transcript()
    turn = chat.say("hi")
    assert "Hello" in turn.text and turn.asks() is None, chat.transcript()
    assert hms.total("Task", requester="Practitioner/prac-c-sam") == before


def test_people_check_request_status_without_requests(stack):
    chat = Chat(stack, "a.admin")
    turn = chat.say("whats the status of my requests")
    assert "You have no help requests." in turn.text or turn.text.startswith("Your requests:"), (
        chat.transcript()
    )


# -- help desk, emergency, capabilities, small talk ---------------------------------------


def test_people_talk_to_human_gives_ticket(stack):
    chat = Chat(stack, "p.kim")
    turn = chat.say("can i talk to a real person")
    assert "I've asked the help desk to join: your ticket is" in turn.text, chat.transcript()


def test_people_talk_to_human_from_inside_a_form(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    patient = hms.outpatient(skip=12)
    before = len(hms.booked(patient.id))
    chat.say("book a physio appt")
    chat.fill({"patient_name": patient.full_name}, lambda t: t.asks() == "mrn")
    turn = chat.say("this isn't working, get me the help desk")
    assert "your ticket is" in turn.text and turn.asks() is None, chat.transcript()
    assert len(hms.booked(patient.id)) == before


def test_people_emergency_answered_at_once(stack):
    number = stack.env.get("EMERGENCY_NUMBER", "2222")
    chat = Chat(stack, "h.lee")
    turn = chat.say("cardiac arrest bay 3")
    assert turn.text.startswith(f"This is an emergency: call {number} now"), chat.transcript()
    assert not turn.buttons


@pytest.mark.parametrize(
    ("user", "role", "can", "cannot"),
    [
        ("p.kim", "porter", "find free beds", "book, move or cancel"),
        ("n.jones", "ward nurse", "book, move or cancel", "Claim"),
        ("s.ali", "outpatient scheduling clerk", "book, move or cancel", "free beds"),
        ("c.sam", "housekeeping staff, hospital-wide", "change a bed's status", "find which ward"),
    ],
)
def test_people_capabilities_follow_the_role(stack, user, role, can, cannot):
    chat = Chat(stack, user)
    turn = chat.say("what can you do")
    assert turn.text.startswith(f"You're signed in as {role}. You can ask me to:"), (
        chat.transcript()
    )
    assert can in turn.text and cannot not in turn.text, chat.transcript()


def test_people_small_talk(stack):
    chat = Chat(stack, "n.jones")
    assert "Hello" in chat.say("hiya").text, chat.transcript()
    assert "welcome" in chat.say("cheers thanks").text.lower(), chat.transcript()
    assert "Goodbye" in chat.say("bye for now").text, chat.transcript()


@pytest.mark.parametrize(
    "question",
    [
        "whats the max dose of paracetamol for a 60kg adult",
        "how much morphine can i give",
        "what's the weather like tomorrow",
    ],
)
def test_people_out_of_scope_refused(stack, question):
    chat = Chat(stack, "n.jones")
    turn = chat.say(question)
    assert "Sorry, I can't help with that" in turn.text, chat.transcript()
    # the clinical-advice warning only where clinical advice was asked for
    clinical = "weather" not in question
    assert ("I can't give clinical advice" in turn.text) is clinical, chat.transcript()
    assert not re.search(r"\d+\s*(mg|g|ml|mcg)\b", turn.text), chat.transcript()
