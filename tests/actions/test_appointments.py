"""Booking, cancelling, rescheduling and listing appointments; only offered and confirmed
records are ever written."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from actions.appointments import ActionBookAppointment, ActionCancelAppointment
from actions.followup import acts_on_a_listed_appointment
from actions.lists import ActionListAppointments
from actions.reschedule import ActionRescheduleAppointment
from actions.services import get_services, set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker

PATIENT = {"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"}
OFFER = "book_appointment:offer"
CONFIRM = "book_appointment:confirm"


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def book(user="n.jones", intent="book_appointment", entities=None, text="hi", **slots):
    return tracker(user, intent=intent, slots={**PATIENT, **slots}, entities=entities, text=text)


def chose(kind, value):
    return [{"entity": f"{kind}_id", "value": value, "start": 0, "end": 1}]


async def offered_state(services):
    _, events = await run(ActionBookAppointment(), book())
    state = slots_of(events)
    return {"pending": state["pending"], "offered": state["offered"]}


async def confirmed_state(services, slot_id="slot-1"):
    offered = await offered_state(services)
    _, events = await run(
        ActionBookAppointment(),
        book(intent="inform", entities=chose("slot", slot_id), **offered),
    )
    state = slots_of(events)
    return {"pending": state["pending"], "confirmed": state["confirmed"]}


async def test_appointments_offers_three_nearest_slots_as_buttons(services):
    messages, events = await run(ActionBookAppointment(), book(time="tomorrow at 10:30"))
    buttons = messages[0]["buttons"]
    ids = [json.loads(b["payload"].removeprefix("/inform"))["slot_id"] for b in buttons[:-1]]
    assert ids == ["slot-2", "slot-3", "slot-4"]  # 10:00, 10:30, 11:00
    assert buttons[-1] == {"title": "Other times", "payload": "/deny"}
    state = slots_of(events)
    assert state["pending"] == OFFER and state["offered"]["ids"] == ids
    assert services.audit.events[0].patient_ref == "Patient/p-1"


async def test_appointments_never_offers_a_time_the_patient_is_already_booked(services):
    # Mary Smith already has an appointment at 10:30 (another clinic): booking her "tomorrow
    # at 10:30" offered that time again, and the confirm step booked her twice at once
    from assistant.hms.models import Appointment

    taken = services.hms.slots[3]  # 10:30
    services.hms.appointments.append(
        Appointment("appt-x", "booked", "p-1", None, "other", taken.start, taken.end, "diabetes")
    )
    messages, _ = await run(ActionBookAppointment(), book(time="tomorrow at 10:30"))
    ids = [
        json.loads(b["payload"].removeprefix("/inform"))["slot_id"]
        for b in messages[0]["buttons"][:-1]
    ]
    assert "slot-3" not in ids and len(ids) == 3


async def test_appointments_requires_mrn_and_name_of_same_patient(services):
    messages, _ = await run(ActionBookAppointment(), book(patient_name="John Doe"))
    assert "don't belong to the same patient" in messages[0]["text"]
    assert messages[0]["custom"]["kind"] == "unknown_patient"
    assert not any(c[0] == "free_slots" for c in services.hms.calls)
    assert services.audit.events[0].outcome == "not_found"


async def test_appointments_chosen_slot_asks_for_confirmation(services):
    offered = await offered_state(services)
    trk = book(intent="inform", entities=chose("slot", "slot-1"), **offered)
    messages, events = await run(ActionBookAppointment(), trk)
    assert messages[0]["text"].startswith("Book MS (MRN ending 4821) into Cardiology Clinic")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert messages[0]["custom"]["phi"] is True
    state = slots_of(events)
    assert state["pending"] == CONFIRM
    assert state["confirmed"]["slot_id"] == "slot-1" and state["confirmed"]["patient_id"] == "p-1"


@pytest.mark.parametrize("text", ["the second one", "2", "the 09:30 one"])
async def test_appointments_slot_chosen_in_words(services, text):
    offered = await offered_state(services)
    trk = book(intent="inform", text=text, **offered)
    _, events = await run(ActionBookAppointment(), trk)
    assert slots_of(events)["confirmed"]["slot_id"] == "slot-1"


async def test_appointments_injected_slot_not_offered_is_refused(services):
    offered = await offered_state(services)
    trk = book(intent="inform", entities=chose("slot", "slot-7"), **offered)
    messages, events = await run(ActionBookAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "book_appointment_refused"
    assert slots_of(events)["pending"] == OFFER and "confirmed" not in slots_of(events)
    assert services.audit.events[-1].reason == "not_offered"
    assert not any(c[0] == "book" for c in services.hms.calls)


async def test_appointments_confirm_books_the_confirmed_slot(services):
    state = await confirmed_state(services)
    messages, events = await run(ActionBookAppointment(), book(intent="affirm", **state))
    assert messages[0]["text"].startswith("Booked: MS (MRN ending 4821)")
    assert "Mary" not in messages[0]["text"]
    assert services.hms.appointments[0].slot_id == "slot-1"
    assert slots_of(events)["pending"] is None and slots_of(events)["confirmed"] is None
    assert services.audit.events[-1].resource == "Appointment/appt-1"


async def test_appointments_affirm_payload_cannot_change_the_slot(services):
    state = await confirmed_state(services)
    trk = book(intent="affirm", entities=chose("slot", "slot-6"), text="/affirm", **state)
    await run(ActionBookAppointment(), trk)
    assert [a.slot_id for a in services.hms.appointments] == ["slot-1"]


async def test_appointments_other_patient_after_confirmation_is_refused(services):
    state = await confirmed_state(services)
    trk = book(intent="affirm", patient_name="John Doe", mrn="10009999", **state)
    messages, _ = await run(ActionBookAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "book_appointment_refused"
    assert services.hms.appointments == []
    assert services.audit.events[-1].reason == "not_confirmed"


async def test_appointments_forged_confirmation_is_refused(services):
    forged = {"patient_id": "p-1", "slot_id": "slot-5", "start": "2000-01-01T00:00:00+00:00"}
    trk = book(intent="affirm", pending=CONFIRM, confirmed=forged)
    await run(ActionBookAppointment(), trk)
    assert services.hms.appointments == []


async def test_appointments_conflict_at_confirm_offers_fresh_slots(services):
    state = await confirmed_state(services)
    hms = services.hms
    hms.slots[1] = replace(hms.slots[1], status="busy")  # taken by someone else meanwhile
    messages, events = await run(ActionBookAppointment(), book(intent="affirm", **state))
    assert messages[0]["text"].startswith("That slot was just taken by someone else.")
    offered = [b["payload"] for b in messages[0]["buttons"]]
    assert all("slot-1" not in p for p in offered) and len(offered) == 4
    assert slots_of(events)["pending"] == OFFER
    assert services.audit.events[-1].outcome == "conflict"
    assert hms.appointments == []


async def test_appointments_deny_offers_later_times(services):
    first, events = await run(ActionBookAppointment(), book())
    after = slots_of(events)["offer_after"]
    trk = book(intent="deny", pending=OFFER, offer_after=after)
    messages, _ = await run(ActionBookAppointment(), trk)
    assert "slot-3" in messages[0]["buttons"][0]["payload"]


async def test_appointments_later_ones_past_the_time_asked_are_no_nothing_free(services):
    # "any later ones?" (a no) past the time asked: "Nothing free at that time; the
    # nearest free ..." - as if nothing had been free then
    first, events = await run(ActionBookAppointment(), book(time="before 10am tomorrow"))
    assert first[0]["text"].startswith("Free ")
    after = slots_of(events)["offer_after"]
    trk = book(intent="deny", pending=OFFER, offer_after=after, time="before 10am tomorrow")
    messages, _ = await run(ActionBookAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "book_appointment_offer"
    assert "Nothing free at that time" not in messages[0]["text"]
    assert "The next free" in messages[0]["text"]


async def test_appointments_denied_for_porter_with_audit(services):
    messages, _ = await run(ActionBookAppointment(), book("p.kim"))
    assert "needs the nurse, clinician or scheduler role" in messages[0]["text"]
    assert messages[0]["custom"]["kind"] == "book_appointment_denied"
    assert services.audit.events[0].outcome == "denied"


async def test_appointments_cancel_single_appointment_confirms_then_cancels(services):
    await services.hms.book("p-1", "slot-0")
    messages, events = await run(ActionCancelAppointment(), book(intent="cancel_appointment"))
    state = slots_of(events)
    assert state["pending"] == "cancel_appointment:confirm"
    assert state["confirmed"] == {"patient_id": "p-1", "appointment_id": "appt-1"}
    trk = book(intent="affirm", pending=state["pending"], confirmed=state["confirmed"])
    messages, _ = await run(ActionCancelAppointment(), trk)
    assert messages[0]["text"].startswith("Cancelled the appointment")
    assert services.hms.appointments[0].status == "cancelled"


async def test_appointments_cancel_keeps_the_patient_and_what_she_still_has(services):
    # "cancel the neurology one too" right after "Cancelled the appointment ... for RW"
    # asked "What is the patient's full name?" again: the patient and the appointments
    # left are kept for the next request (actions.followup)
    await services.hms.book("p-1", "slot-0")
    await services.hms.book("p-1", "slot-3")
    trk = book(
        intent="affirm", pending="cancel_appointment:confirm",
        confirmed={"patient_id": "p-1", "appointment_id": "appt-1"},
    )  # fmt: skip
    _, events = await run(ActionCancelAppointment(), trk)
    last = slots_of(events)["last_task"]
    assert last["patient"] == {"patient_name": "Mary Smith", "mrn": "10004821"}
    assert last["listed_appointments"]["ids"] == ["appt-2"]
    turn = Turn("cancel_appointment", 0.9, "cancel the other one too", (), None)
    intent, details = acts_on_a_listed_appointment(last, turn) or ("", {})
    assert intent == "cancel_appointment" and details["mrn"] == "10004821"
    assert details["offered"]["ids"] == ["appt-2"]


async def test_appointments_cancel_injected_appointment_is_not_cancelled(services):
    await services.hms.book("p-1", "slot-0")
    await services.hms.book("p-2", "slot-3")  # another patient's appointment
    _, events = await run(ActionCancelAppointment(), book(intent="cancel_appointment"))
    state = slots_of(events)
    trk = book(
        intent="affirm",
        text='/affirm{"appointment_id":"appt-2"}',
        entities=chose("appointment", "appt-2"),
        pending=state["pending"],
        confirmed=state["confirmed"],
    )
    await run(ActionCancelAppointment(), trk)
    statuses = {a.id: a.status for a in services.hms.appointments}
    assert statuses == {"appt-1": "cancelled", "appt-2": "booked"}


async def test_appointments_cancel_confirmation_of_another_patient_is_refused(services):
    await services.hms.book("p-2", "slot-3")
    forged = {"patient_id": "p-1", "appointment_id": "appt-1"}
    trk = book(intent="affirm", pending="cancel_appointment:confirm", confirmed=forged)
    messages, _ = await run(ActionCancelAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "cancel_appointment_refused"
    assert services.hms.appointments[0].status == "booked"


async def test_appointments_cancel_pick_only_among_offered(services):
    await services.hms.book("p-1", "slot-0")
    await services.hms.book("p-1", "slot-2")
    await services.hms.book("p-2", "slot-4")
    _, events = await run(ActionCancelAppointment(), book(intent="cancel_appointment"))
    state = slots_of(events)
    assert state["pending"] == "cancel_appointment:pick"
    trk = book(intent="inform", entities=chose("appointment", "appt-3"), **state)
    messages, _ = await run(ActionCancelAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "cancel_appointment_refused"
    assert all(a.status == "booked" for a in services.hms.appointments)


async def test_appointments_reschedule_books_new_and_cancels_old(services):
    await services.hms.book("p-1", "slot-0")
    _, events = await run(
        ActionRescheduleAppointment(), book(intent="reschedule_appointment", time="tomorrow")
    )
    state = slots_of(events)
    assert state["pending"] == "reschedule_appointment:offer"
    assert state["confirmed"]["appointment_id"] == "appt-1"
    trk = book(
        intent="inform",
        entities=chose("slot", state["offered"]["ids"][-1]),
        pending=state["pending"],
        offered=state["offered"],
        confirmed=state["confirmed"],
    )
    _, events = await run(ActionRescheduleAppointment(), trk)
    state = slots_of(events)
    assert state["pending"] == "reschedule_appointment:confirm"
    trk = book(intent="affirm", pending=state["pending"], confirmed=state["confirmed"])
    messages, _ = await run(ActionRescheduleAppointment(), trk)
    assert messages[0]["text"].startswith("Moved:")
    statuses = {a.slot_id: a.status for a in services.hms.appointments}
    assert statuses["slot-0"] == "cancelled" and list(statuses.values()).count("booked") == 1


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


async def test_scheduling_an_exact_time_on_a_busy_day_offers_the_slots_around_it(services):
    # 20 free slots from 09:00 tomorrow: "tomorrow at 4pm" is searched around 16:00, not
    # among the first SEARCH_COUNT slots of the day
    from datetime import timedelta

    from actions.scheduling import nearest_slots
    from assistant.hms.models import Slot
    from tests.actions.fakes import NOW

    base = NOW.replace(hour=9, minute=0) + timedelta(days=1)
    services.hms.slots = [
        Slot(
            f"s-{i}",
            "sch-1",
            "cardiology",
            "prac-dr-patel",
            base + timedelta(minutes=20 * i),
            base + timedelta(minutes=20 * i + 20),
            "free",
            "1",
        )
        for i in range(24)
    ]

    class Ctx:
        now = NOW
        services = get_services()
        hms = services.hms

        @staticmethod
        def text(name):
            return "tomorrow at 4pm" if name == "time" else None

    slots, matched = await nearest_slots(Ctx(), "cardiology", None)  # type: ignore[arg-type]
    assert matched and [s.start.strftime("%H:%M") for s in slots] == ["15:40", "16:00", "16:20"]


async def test_appointments_no_the_first_one_while_confirming_confirms_that_one(services):
    # "no, the first one" (read as a no) while confirming the second offered slot
    offered = await offered_state(services)
    second = offered["offered"]["ids"][1]
    _, events = await run(
        ActionBookAppointment(), book(intent="inform", entities=chose("slot", second), **offered)
    )
    state = {
        **offered,
        **{k: v for k, v in slots_of(events).items() if k in ("pending", "confirmed")},
    }
    trk = book(intent="deny", text="no, the first one", **state)
    messages, events = await run(ActionBookAppointment(), trk)
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"
    assert slots_of(events)["confirmed"]["slot_id"] == offered["offered"]["ids"][0]
    assert not any(c[0] == "book" for c in services.hms.calls)


async def test_appointments_list_with_one_identifier_asks_the_other_once(services):
    await services.hms.book("p-1", "slot-0")
    only_name = tracker(
        "s.ali", intent="list_appointments", text="appointments for Mary Smith",
        slots={"patient_name": "Mary Smith"},
    )  # fmt: skip
    messages, events = await run(ActionListAppointments(), only_name)
    assert messages[0]["custom"]["kind"] == "ask_mrn"
    assert slots_of(events)["pending"] == "list_appointments:identify"
    assert "patient_name" not in {k for k, v in slots_of(events).items() if v is None}  # kept
    # the answer, said in groups and read as nothing by NLU, completes the identification
    answer = tracker(
        "s.ali", intent="nlu_fallback", text="1000 4821",
        slots={"patient_name": "Mary Smith", "pending": "list_appointments:identify"},
    )  # fmt: skip
    messages, events = await run(ActionListAppointments(), answer)
    assert messages[0]["custom"]["kind"] == "list_appointments_success"
    assert "Cardiology" in messages[0]["text"]
    assert slots_of(events)["pending"] is None


async def test_appointments_list_second_miss_explains_and_stops(services):
    answer = tracker(
        "s.ali", intent="nlu_fallback", text="no idea",
        slots={"mrn": "10004821", "pending": "list_appointments:identify"},
    )  # fmt: skip
    messages, events = await run(ActionListAppointments(), answer)
    assert messages[0]["custom"]["kind"] == "list_appointments_need_identifiers"
    assert slots_of(events)["pending"] is None and slots_of(events)["mrn"] is None


async def offered_titles(services):
    messages, events = await run(ActionBookAppointment(), book())
    state = slots_of(events)
    titles = [b["title"] for b in messages[0]["buttons"][:-1]]
    return {"pending": state["pending"], "offered": state["offered"]}, titles


def typed(text, intent="inform", **state):
    # NLU tagged the typed title as a time: the time slot is set by this message
    events = [
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "time", "value": text},
    ]
    return tracker(
        "n.jones",
        intent=intent,
        text=text,
        slots={**PATIENT, **state, "time": text},
        events=events,
    )


@pytest.mark.parametrize("intent", ["inform", "book_appointment", "deny"])
async def test_appointments_typed_button_title_picks_that_slot(services, intent):
    # a kiosk or a typed channel sends "Tue 8 Dec at 10:00", not the button's payload
    state, titles = await offered_titles(services)
    messages, events = await run(ActionBookAppointment(), typed(titles[1], intent, **state))
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"
    assert slots_of(events)["confirmed"]["slot_id"] == state["offered"]["ids"][1]


async def test_appointments_typed_time_not_offered_offers_afresh(services):
    state, _ = await offered_titles(services)
    messages, events = await run(ActionBookAppointment(), typed("fri 4pm", **state))
    assert messages[0]["text"].startswith("OK, another time.")  # searched again, none picked
    assert "confirmed" not in slots_of(events) or slots_of(events)["confirmed"] is None


@pytest.mark.parametrize(
    ("said", "same"),
    [("Mary Smiths", True), ("Mary Smith's", True), ("Smith", True), ("Mary Smyth", False)],
)
def test_appointments_a_possessive_name_is_the_patient_s_name(said, same):
    # "move Mary Smiths cardiology appt": "That MRN and name don't belong to the same patient"
    from actions.scheduling import same_patient
    from assistant.hms.models import Patient

    assert same_patient(Patient("p-1", "10004821", "Mary", "Smith"), "10004821", said) is same


async def at_cancel_confirm(services) -> dict:
    """Two of p-1's appointments booked, the first picked to cancel: the slots at
    "Cancel M.S.'s cardiology appointment on ...?"."""
    await services.hms.book("p-1", "slot-0")
    await services.hms.book("p-1", "slot-2")
    _, events = await run(ActionCancelAppointment(), book(intent="cancel_appointment"))
    picked = slots_of(events)
    trk = book(intent="inform", entities=chose("appointment", "appt-1"), **picked)
    _, events = await run(ActionCancelAppointment(), trk)
    state = {**picked, **slots_of(events)}
    assert state["pending"] == "cancel_appointment:confirm"
    return state


async def test_appointments_cancel_another_offered_one_at_the_confirm_step(services):
    # "no, the second one" at "Cancel M.S.'s cardiology appointment on ...?" answered "OK,
    # I've left the appointment as it is" and dropped the request
    state = await at_cancel_confirm(services)
    trk = book(intent="deny", text="no, the second one", **state)
    messages, events = await run(ActionCancelAppointment(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["cancel_appointment_confirm"]
    assert slots_of(events)["confirmed"]["appointment_id"] == "appt-2"
    assert all(a.status == "booked" for a in services.hms.appointments)


@pytest.mark.parametrize(("text", "cancelled"), [("undo that", False), ("yes", True)])
async def test_appointments_a_yes_taken_back_cancels_nothing(services, text, cancelled):
    # NLU reads "undo that" as a yes: at "Cancel ...?" it would have cancelled
    state = await at_cancel_confirm(services)
    messages, _ = await run(ActionCancelAppointment(), book(intent="affirm", text=text, **state))
    statuses = sorted(a.status for a in services.hms.appointments)
    if cancelled:
        assert statuses == ["booked", "cancelled"]
    else:
        assert [m["custom"]["kind"] for m in messages] == ["cancel_appointment_kept"]
        assert statuses == ["booked", "booked"]


@pytest.mark.parametrize(
    ("text", "intent"), [("yes", "affirm"), ("ok", "affirm"), ("that one", "nlu_fallback")]
)
async def test_appointments_a_yes_to_one_slot_offered_takes_it_to_several_asks_which(
    services, text, intent
):
    # only one slot offered ("Thu ... at 16:20. Which one?") / "yes": that slot confirmed
    # (it was "Please pick one of these." until the task gave up)
    state = await offered_state(services)
    one = {**state["offered"], "ids": state["offered"]["ids"][:1]}
    one["starts"] = state["offered"]["starts"][:1]
    messages, events = await run(
        ActionBookAppointment(), book(intent=intent, text=text, pending=OFFER, offered=one)
    )
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"
    assert slots_of(events)["confirmed"]["slot_id"] == one["ids"][0]
    # several offered: no slot taken, and said plainly that one of them is needed
    messages, events = await run(ActionBookAppointment(), book(intent=intent, text=text, **state))
    assert messages[0]["custom"]["kind"] == "book_appointment_offer"
    assert "which one" in messages[0]["text"]
    assert slots_of(events).get("confirmed") is None


def _time_given(first: str, then: str | None, value: str):
    """A booking whose time slot holds ``value``, given by ``first`` (and ``then``)."""
    events = [{"event": "user", "text": first}, {"event": "slot", "name": "time", "value": first}]
    if then is not None:
        events += [
            {"event": "user", "text": then},
            {"event": "slot", "name": "time", "value": then},
            {"event": "slot", "name": "time", "value": value},
        ]
    events += [{"event": "user", "text": "Mary Smith 10004821"}]
    return tracker(
        "s.ali", intent="inform", slots={**PATIENT, "time": value}, events=events, text="x"
    )


@pytest.mark.parametrize(
    ("first", "then", "value", "direct"),
    [
        ("thursday", "10:00", "thursday at 10:00", True),  # a clock time said on its own
        ("10am on thursday", None, "10am on thursday", True),  # a time answer, on its own
        # said inside the request: a preference, the nearest slots offered
        ("book her into cardiology thursday 10am", None, "thursday 10am", False),
        ("thursday", "the morning", "thursday morning", False),  # no clock time
    ],
)
async def test_exacttime_a_clock_time_said_on_its_own_and_free_goes_to_the_confirm(
    services, first, then, value, direct
):
    # "friday" / "neurology" / "10:00" / the patient: "Book ... at 10:00?" when 10:00 is
    # free (it offered 09:30, 09:40, 10:00)
    trk = _time_given(first, then, value)
    if first.startswith("book"):
        trk.events[1]["value"] = value
    messages, events = await run(ActionBookAppointment(), trk)
    kind = messages[0]["custom"]["kind"]
    if direct:
        assert kind == "book_appointment_confirm"
        assert slots_of(events)["confirmed"]["slot_id"] == "slot-2"  # 10:00
    else:
        assert kind == "book_appointment_offer"


@pytest.mark.parametrize("text", ["what appointments does he have", "list her appointments"])
async def test_appointments_his_appointments_right_after_booking_him_are_that_patients(
    services, text
):
    # tried as a scheduler: "Booked: ..." / "what appointments does he have" listed the
    # user's own diary ("No booked appointments for you today")
    await services.hms.book("p-1", "slot-0")
    booked = {"intent": "book_appointment", "slots": {**PATIENT, "time": "tomorrow"}}
    asked = tracker("s.ali", intent="list_appointments", text=text, slots={"last_task": booked})
    messages, _ = await run(ActionListAppointments(), asked)
    assert messages[0]["custom"]["kind"] == "list_appointments_success"
    assert messages[0]["custom"]["data"]["mrn_last4"] == "4821"
    assert "Cardiology" in messages[0]["text"]
    # with no patient answered just before, "his" names nobody: the user's own diary
    alone = tracker("s.ali", intent="list_appointments", text=text)
    messages, _ = await run(ActionListAppointments(), alone)
    assert messages[0]["custom"].get("data", {}).get("mrn_last4") is None
