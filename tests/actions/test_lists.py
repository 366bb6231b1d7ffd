"""The clinic list for a day and the ward list: guarded, minimum necessary, ward-scoped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actions.lists import ActionListClinicAppointments, ActionListWardPatients
from actions.services import set_services
from assistant.hms.models import Appointment
from tests.actions.fakes import NOW, make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def clinic(user="dr.patel", **slots):
    return tracker(user, intent="list_clinic_appointments", slots=slots)


async def test_lists_clinic_list_for_tomorrow_names_patients_by_initials(services):
    await services.hms.book("p-1", "slot-0")  # tomorrow 09:00, cardiology
    messages, _ = await run(
        ActionListClinicAppointments(), clinic(department="cardiology", time="tomorrow")
    )
    [reply] = messages
    assert reply["custom"]["kind"] == "list_clinic_appointments_success"
    assert reply["custom"]["phi"] is True
    assert "Cardiology Clinic tomorrow: 1 booked" in reply["text"] and "MS" in reply["text"]
    assert "Mary" not in reply["text"] and "Smith" not in reply["text"]
    data = reply["custom"]["data"]
    assert data["department"] == "cardiology" and data["count"] == 1
    assert data["appointments"][0]["initials"] == "MS"
    [event] = services.audit.events
    assert (event.permission, event.outcome) == ("clinics:read", "success")


async def test_lists_clinic_list_other_day_is_empty(services):
    await services.hms.book("p-1", "slot-0")
    messages, _ = await run(ActionListClinicAppointments(), clinic(department="cardiology"))
    assert messages[0]["custom"]["kind"] == "list_clinic_appointments_none"


async def test_lists_my_clinic_uses_the_clinicians_own_appointments(services):
    hms = services.hms
    hms.appointments.append(
        Appointment(
            "appt-9",
            "booked",
            "p-2",
            "prac-dr-patel",
            "slot-x",
            NOW + timedelta(hours=1),
            NOW + timedelta(hours=2),
            "cardiology",
        )
    )
    messages, _ = await run(ActionListClinicAppointments(), clinic(clinician="mine"))
    assert messages[0]["text"].startswith("Your clinic today: 1 booked")


async def test_lists_clinic_list_refused_for_a_nurse(services):
    messages, _ = await run(ActionListClinicAppointments(), clinic("n.jones", department="x"))
    assert messages[0]["custom"]["kind"] == "list_clinic_appointments_denied"
    assert services.audit.events[0].outcome == "denied"


async def test_lists_who_is_in_one_bed(services):
    trk = tracker("n.jones", intent="list_ward_patients", slots={"ward": "4B", "bed": "1"})
    messages, _ = await run(ActionListWardPatients(), trk)
    reply = messages[0]
    assert reply["text"] == "4B Bed 1: MS (MRN ending 4821)."
    assert reply["custom"]["data"]["bed"] == "4B Bed 1" and reply["custom"]["phi"] is True
    assert services.audit.events[0].patient_ref == "Patient/p-1"


async def test_lists_my_ward_lists_initials_and_beds(services):
    trk = tracker("n.jones", intent="list_ward_patients", slots={"ward": "mine"})
    messages, _ = await run(ActionListWardPatients(), trk)
    reply = messages[0]
    assert reply["custom"]["kind"] == "list_ward_patients_success"
    assert reply["custom"]["data"]["patients"] == [
        {"bed": "4B Bed 1", "initials": "MS", "mrn_last4": "4821"}
    ]
    assert "Mary" not in reply["text"]


async def test_lists_empty_bed_says_nobody(services):
    trk = tracker("n.jones", intent="list_ward_patients", slots={"ward": "4B", "bed": "2"})
    messages, _ = await run(ActionListWardPatients(), trk)
    assert messages[0]["custom"]["kind"] == "list_ward_patients_none"


async def test_lists_other_ward_is_refused_for_a_ward_nurse(services):
    trk = tracker("n.jones", intent="list_ward_patients", slots={"ward": "7C"})
    messages, _ = await run(ActionListWardPatients(), trk)
    assert messages[0]["custom"]["kind"] == "list_ward_patients_denied"
    assert "JD" not in messages[0]["text"]
    assert not any(c[0] == "occupants" for c in services.hms.calls)


@pytest.mark.parametrize(
    ("said", "slots", "kind"),
    [
        ("what appts does mary smith have", {}, "ask_mrn"),
        ("what appts does mary smith 10004821 have", {"mrn": "10004821"}, "list_appointments_"),
    ],
)
async def test_lists_a_lower_case_patient_name_is_that_patients_not_my_diary(
    services, said, slots, kind
):
    # "what appts does emily lloyd have" answered with the user's own diary; with the MRN
    # it asked the name again
    from actions.lists import ActionListAppointments

    trk = tracker("s.ali", intent="list_appointments", text=said, slots=slots)
    messages, events = await run(ActionListAppointments(), trk)
    assert messages[0]["custom"]["kind"].startswith(kind)
    assert "for you" not in messages[0]["text"]
    if kind == "ask_mrn":  # the name is kept for the MRN that answers
        assert {
            "event": "slot",
            "timestamp": None,
            "name": "patient_name",
            "value": "Mary Smith",
        } in events


async def test_lists_a_day_the_clinic_does_not_run_says_no_session(services):
    # "is there a clinic on saturday": "No booked appointments in Your clinic Sat 5 Dec."
    # (as if it ran with nothing booked)
    messages, _ = await run(
        ActionListClinicAppointments(), clinic(department="cardiology", time="in 5 days")
    )
    assert messages[0]["custom"]["kind"] == "list_clinic_appointments_none"
    assert "has no session on" in messages[0]["text"]
    # a day with free slots and nothing booked: nothing booked, as before
    messages, _ = await run(
        ActionListClinicAppointments(), clinic(department="cardiology", time="tomorrow")
    )
    assert messages[0]["text"] == "No booked appointments in Cardiology Clinic tomorrow."


async def test_lists_who_is_at_a_time_right_after_a_clinic_list_is_that_entry(services):
    # "whos the 12 oclock" right after the ENT list: "You have no help requests."
    from rasa_sdk.executor import CollectingDispatcher

    from actions.flow import ActionNewRequest

    await services.hms.book("p-1", "slot-0")  # tomorrow 09:00, cardiology
    await services.hms.book("p-2", "slot-2")  # tomorrow 10:00
    shown = {"department": "cardiology", "time": "tomorrow"}
    listed, events = await run(ActionListClinicAppointments(), clinic(**shown))
    assert "2 booked" in listed[0]["text"]
    last = [e["value"] for e in events if e.get("name") == "last_task"][-1]
    assert "MS" not in str(last) and len(last["clinic_listed"]) == 2  # times only
    said = "whos the 10 oclock"
    history = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": said, "parse_data": {}},
    ]
    trk = tracker(
        "dr.patel",
        intent="check_request_status",
        text=said,
        slots={"last_task": last},
        events=history,
    )
    dispatcher = CollectingDispatcher()
    await ActionNewRequest().run(dispatcher, trk, {})
    [reply] = dispatcher.messages
    assert reply["custom"]["kind"] == "list_clinic_appointments_success"
    assert "10:00 JD" in reply["text"] and "09:00" not in reply["text"]


async def test_lists_cancel_a_time_right_after_a_clinic_list_is_that_appointments_cancel(
    services,
):
    # "cancel the 11:30" right after a clinic's list: "You have no open help requests to
    # cancel" (NLU: a help request's cancel)
    from rasa_sdk.executor import CollectingDispatcher

    from actions.flow import ActionNewRequest

    await services.hms.book("p-1", "slot-2")  # tomorrow 10:00, cardiology
    shown = {"department": "cardiology", "time": "tomorrow"}
    _, events = await run(ActionListClinicAppointments(), clinic(**shown))
    last = [e["value"] for e in events if e.get("name") == "last_task"][-1]
    said = "cancel the 10:00"
    history = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": said, "parse_data": {}},
    ]
    trk = tracker(
        "s.ali", intent="cancel_help_request", text=said, slots={"last_task": last}, events=history
    )
    out = await ActionNewRequest().run(CollectingDispatcher(), trk, {})
    slots = {e["name"]: e["value"] for e in out if e.get("event") == "slot"}
    assert slots["department"] == "cardiology" and slots["time"].endswith(" 10:00")
    assert out[-1] == {"event": "followup", "timestamp": None, "name": "cancel_appointment_form"}


@pytest.mark.parametrize(
    ("said", "intent"),
    [("cancel the 11:00", "cancel_help_request"), ("who is the 11 oclock", "check_request_status")],
)
async def test_lists_a_time_not_on_the_clinic_list_just_shown_is_said_so(services, said, intent):
    # "cancel the 10:00" after the ENT list with no 10:00: "You have no open help requests
    # to cancel" (NLU: a help request's cancel)
    from rasa_sdk.executor import CollectingDispatcher

    from actions.flow import ActionNewRequest

    await services.hms.book("p-1", "slot-2")  # tomorrow 10:00, cardiology
    shown = {"department": "cardiology", "time": "tomorrow"}
    _, events = await run(ActionListClinicAppointments(), clinic(**shown))
    last = [e["value"] for e in events if e.get("name") == "last_task"][-1]
    history = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": said, "parse_data": {}},
    ]
    trk = tracker("s.ali", intent=intent, text=said, slots={"last_task": last}, events=history)
    dispatcher = CollectingDispatcher()
    await ActionNewRequest().run(dispatcher, trk, {})
    [reply] = dispatcher.messages
    assert reply["custom"]["kind"] == "list_clinic_appointments_none"
    assert "11:00" in reply["text"] and "10:00" in reply["text"]


@pytest.mark.parametrize("said", ["who is the 10am", "who is the 2pm"])
async def test_lists_who_is_at_a_time_read_as_out_of_scope_after_a_clinic_list(services, said):
    # "who is the 2pm" right after a clinic's list (NLU: out of scope) was "Sorry, I can't
    # help with that"
    from rasa_sdk.executor import CollectingDispatcher

    from actions.fallback import ActionOutOfScope

    await services.hms.book("p-1", "slot-2")  # tomorrow 10:00, cardiology
    shown = {"department": "cardiology", "time": "tomorrow"}
    _, events = await run(ActionListClinicAppointments(), clinic(**shown))
    last = [e["value"] for e in events if e.get("name") == "last_task"][-1]
    history = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": said, "parse_data": {}},
    ]
    trk = tracker(
        "s.ali", intent="out_of_scope", text=said, slots={"last_task": last}, events=history
    )
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, trk, {})
    [reply] = dispatcher.messages
    assert reply["custom"]["kind"].startswith("list_clinic_appointments_")
    assert "10:00" in reply["text"]


async def test_lists_free_slots_in_my_clinic_read_as_english(services):
    # tried as a clinician: "Free your clinic slots: ..."
    from actions.freeslots import ActionCheckFreeSlots

    asked = tracker("dr.patel", intent="check_free_slots", slots={"clinician": "mine"})
    messages, _ = await run(ActionCheckFreeSlots(), asked)
    assert messages[0]["text"].startswith("Free slots in your clinic: ")
    assert "your clinic slots" not in messages[0]["text"]
