"""Moving an appointment (actions.reschedule): times said relative to the one moved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from actions.formats import MrnFormat
from actions.reschedule import ActionRescheduleAppointment
from actions.services import set_services
from actions.slotvalues import CheckContext, check_time
from tests.actions.fakes import NOW, make_services, run, tracker

MARY = {"patient_name": "Mary Smith", "mrn": "10004821"}


@pytest.fixture
def services():
    svc = make_services()
    # the same clinic a week on (Thu 10 Dec), and a day between (Mon 7 Dec)
    first = svc.hms.slots[0]
    svc.hms.slots += [
        replace(first, id=f"slot-w{i}", start=first.start + days, end=first.end + days)
        for i, days in enumerate((timedelta(days=4), timedelta(days=7), timedelta(days=7, hours=1)))
    ]
    set_services(svc)
    return svc


async def test_reschedule_to_the_week_after_offers_a_week_after_the_one_moved(services):
    # "and move her other neuro one to the week after" (after listing her appointments) was
    # "Sorry, I didn't catch the time" - the week after that appointment was meant
    await services.hms.book("p-1", "slot-0")  # Thu 3 Dec 09:00
    trk = tracker(
        "s.ali", intent="reschedule_appointment",
        text="and move her other cardiology one to the week after",
        slots={**MARY, "department": "cardiology", "time": "the week after"},
    )  # fmt: skip
    messages, events = await run(ActionRescheduleAppointment(), trk)
    offer = next(m for m in messages if m["custom"]["kind"] == "reschedule_appointment_offer")
    starts = [s["start"][:10] for s in offer["custom"]["data"]["slots"]]
    assert starts and set(starts) == {"2026-12-10"}
    assert "Thu 10 Dec" in offer["text"] and "Mon 7 Dec" not in offer["text"]
    assert {"event": "slot", "name": "time", "value": "2026-12-10"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


async def test_reschedule_the_week_after_is_a_time_while_moving():
    ctx = CheckContext(
        MrnFormat(r"\d{8}"), "Europe/London", NOW, {}, None,  # type: ignore[arg-type]
        form="reschedule_appointment_form",
    )  # fmt: skip
    assert (await check_time("the week after", ctx)).value == "the week after"
    booking = replace(ctx, form="book_appointment_form")
    assert (await check_time("the week after", booking)).value is None


async def test_reschedule_several_in_the_clinic_said_asks_among_those_only(services):
    # "move Arjun Johnson 10002695 ortho appt" with two orthopaedics appointments listed
    # all seven of his to pick from
    await services.hms.book("p-1", "slot-0")
    await services.hms.book("p-1", "slot-3")
    services.hms.slots[5] = replace(services.hms.slots[5], service_code="dermatology")
    await services.hms.book("p-1", "slot-5")
    trk = tracker(
        "s.ali", intent="reschedule_appointment", text="move Mary Smith's cardiology appt",
        slots={**MARY, "department": "cardiology", "time": "next week"},
    )  # fmt: skip
    messages, _ = await run(ActionRescheduleAppointment(), trk)
    assert messages[-1]["custom"]["kind"] == "reschedule_appointment_pick"
    titles = [b["title"] for b in messages[-1]["buttons"]]
    assert len(titles) == 2 and all(t.startswith("Cardiology") for t in titles)
