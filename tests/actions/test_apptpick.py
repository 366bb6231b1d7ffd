"""A message at "Which appointment should I cancel / move?" that picks none of them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from actions.appointments import ActionCancelAppointment
from actions.reschedule import ActionRescheduleAppointment
from actions.scheduling import offered_appointments
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker

MARY = {"patient_name": "Mary Smith", "mrn": "10004821"}


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def _at_the_pick(services, task: str, text: str, intent: str, **more: Any):
    booked = {a.slot_id for a in await services.hms.list_appointments(patient_id="p-1")}
    for slot in ("slot-0", "slot-3"):
        if slot not in booked:
            await services.hms.book("p-1", slot)
    appts = await services.hms.list_appointments(patient_id="p-1")
    state = {
        **MARY,
        "time": "next week",
        "pending": f"{task}:pick",
        "offered": offered_appointments(appts),
        **more.pop("slots", {}),
    }
    action = (
        ActionCancelAppointment()
        if task == "cancel_appointment"
        else (ActionRescheduleAppointment())
    )
    trk = tracker("s.ali", intent=intent, text=text, slots=state, **more)
    return await run(action, trk)


@pytest.mark.parametrize("task", ["cancel_appointment", "reschedule_appointment"])
@pytest.mark.parametrize(
    ("text", "intent"),
    [("no wait, keep it", "deny"), ("keep it actually", "inform"), ("no leave it", "deny")],
)
async def test_apptpick_keep_it_at_the_pick_leaves_the_appointments(services, task, text, intent):
    # the list was asked again ("Which appointment should I cancel?") for each of these,
    # and the cancel offered again after the next request
    messages, events = await _at_the_pick(services, task, text, intent)
    assert [m["custom"]["kind"] for m in messages] == [f"{task}_kept"]
    assert not any(e.get("name") == "pending" and e.get("value") for e in events)
    booked = await services.hms.list_appointments(patient_id="p-1")
    assert len(booked) == 2


@pytest.mark.parametrize("task", ["cancel_appointment", "reschedule_appointment"])
async def test_apptpick_a_clinic_none_of_them_is_in_is_said_before_the_list(services, task):
    # "the dermatology one" when both are cardiology: the list came again, silently
    messages, _ = await _at_the_pick(
        services,
        task,
        "the dermatology one",
        "inform",
        slots={"department": "dermatology"},
        entities=[{"entity": "department", "value": "dermatology", "start": 4, "end": 15}],
    )
    assert messages[0]["custom"]["kind"] == f"{task}_pick"
    assert "no Dermatology appointment" in messages[0]["text"]
    assert len(messages[0]["buttons"]) == 2


async def test_apptpick_a_pick_by_clinic_or_a_time_still_picks(services):
    messages, _ = await _at_the_pick(
        services,
        "cancel_appointment",
        "no, the second one",
        "deny",
    )
    assert messages[0]["custom"]["kind"] == "cancel_appointment_confirm"


async def test_apptpick_a_clinic_or_day_of_several_narrows_the_list_to_them(services):
    # "the cardiology ones" at a pick of three listed all three again; "the friday one"
    # (the only one that day) listed them again too
    from datetime import timedelta

    from assistant.hms.models import Slot
    from tests.actions.fakes import NOW

    friday = NOW.replace(hour=11, minute=0) + timedelta(days=2)
    services.hms.slots.append(
        Slot("slot-d", "sch-2", "dermatology", "prac-dr-patel", friday, friday, "free", "1")
    )
    await services.hms.book("p-1", "slot-d")
    messages, _ = await _at_the_pick(
        services,
        "cancel_appointment",
        "the cardiology ones",
        "inform",
        slots={"department": "cardiology"},
        entities=[{"entity": "department", "value": "cardiology", "start": 4, "end": 14}],
    )
    assert messages[0]["custom"]["kind"] == "cancel_appointment_pick"
    assert len(messages[0]["buttons"]) == 2
    messages, _ = await _at_the_pick(
        services,
        "cancel_appointment",
        "the friday one",
        "inform",
        entities=[{"entity": "time", "value": "friday", "start": 4, "end": 10}],
    )
    assert messages[0]["custom"]["kind"] == "cancel_appointment_confirm"


async def test_apptpick_yes_to_the_list_asks_again_among_those_offered(services):
    # "yes" to "Which appointment should I cancel?" (her three orthopaedics ones) asked
    # again with all five of hers
    for slot in ("slot-0", "slot-3", "slot-5"):
        await services.hms.book("p-1", slot)
    appts = await services.hms.list_appointments(patient_id="p-1")
    state = {
        **MARY,
        "pending": "cancel_appointment:pick",
        "offered": offered_appointments(appts[:2]),
    }
    trk = tracker("s.ali", intent="affirm", text="yes", slots=state)
    messages, _ = await run(ActionCancelAppointment(), trk)
    assert messages[-1]["custom"]["kind"] == "cancel_appointment_pick"
    assert len(messages[-1]["buttons"]) == 2


async def test_apptpick_a_day_said_untagged_picks_the_one_that_day(services):
    # "cancel Elif Owen 10034232 orthopaedics appointment on the 17th" (NLU tagged no
    # time) asked which of her three
    first = services.hms.slots[0]
    later = replace(
        first, id="slot-9", start=first.start + timedelta(days=5), end=first.end + timedelta(days=5)
    )
    services.hms.slots.append(later)  # Tue 8 Dec
    await services.hms.book("p-1", "slot-0")
    await services.hms.book("p-1", "slot-9")
    text = "cancel Mary Smith 10004821 cardiology appointment on the 8th"
    trk = tracker(
        "s.ali", intent="cancel_appointment", text=text, slots={**MARY, "department": "cardiology"}
    )
    messages, _ = await run(ActionCancelAppointment(), trk)
    assert messages[-1]["custom"]["kind"] == "cancel_appointment_confirm"
    assert "Tue 8 Dec" in messages[-1]["text"]
