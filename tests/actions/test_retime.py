"""Another time while choosing or confirming a slot ("make it the afternoon"): offered
afresh, on the day asked before when the new time names none."""

from __future__ import annotations

from typing import Any

import pytest

from actions.flow import ActionContinue, ActionNewRequest
from actions.retime import on_the_day_asked, said_time
from actions.services import set_services
from tests.actions.fakes import NOW, make_services, run, tracker

TZ = "Europe/London"
PATIENT = {"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"}


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("make it the afternoon", "the afternoon"),
        ("actually 3pm", "3pm"),
        ("can we do friday instead?", "friday"),
        # at an offer this was "Please pick one of these."
        ("hmm actually can it be afternoon", "afternoon"),
        ("could it be monday please", "monday"),
        ("wrong patient", None),
        ("the second one", None),
        ("actually dermatology", None),
        ("10004821", None),
    ],
)
def test_retime_said_time_is_only_a_time_and_words_that_change_it(text, said):
    assert said_time(text, NOW, TZ) == said


@pytest.mark.parametrize(
    ("said", "previous", "meant"),
    [
        ("the afternoon", "tomorrow", "the afternoon on december 3"),
        ("3pm", "friday morning", "3pm on december 4"),
        ("friday", "tomorrow", "friday"),  # names its own day
        ("the afternoon", "next week", "the afternoon"),  # several days: nothing to keep
        ("the afternoon", None, "the afternoon"),
    ],
)
def test_retime_a_time_without_a_day_keeps_the_day_asked_before(said, previous, meant):
    assert on_the_day_asked(said, previous, NOW, TZ) == meant


def _choosing(text: str, intent: str = "inform", **state: Any):
    before = {**PATIENT, "time": "tomorrow", **state}
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    return tracker("s.ali", intent=intent, text=text, slots=before, events=events)


OFFERED: dict[str, Any] = {
    "pending": "book_appointment:offer",
    "offered": {
        "kind": "slot",
        "ids": ["slot-0", "slot-1", "slot-2"],
        "starts": [
            "2026-12-03T09:00:00+00:00",
            "2026-12-03T09:30:00+00:00",
            "2026-12-03T10:00:00+00:00",
        ],
    },
}


@pytest.mark.parametrize("intent", ["inform", "reschedule_appointment"])
async def test_retime_make_it_the_afternoon_offers_that_afternoon_of_the_same_day(intent):
    action = ActionContinue() if intent == "inform" else ActionNewRequest()
    messages, events = await run(action, _choosing("make it the afternoon", intent, **OFFERED))
    offer = next(m for m in messages if m["custom"]["kind"] == "book_appointment_offer")
    starts = [s["start"] for s in offer["custom"]["data"]["slots"]]
    assert starts == ["2026-12-03T12:00:00+00:00", "2026-12-03T12:30:00+00:00"]
    set_time = [e["value"] for e in events if e.get("event") == "slot" and e["name"] == "time"]
    assert set_time[0] == "the afternoon on december 3"


async def test_retime_an_offered_time_is_still_a_choice_not_a_new_time():
    messages, _ = await run(ActionContinue(), _choosing("the 09:30 please", **OFFERED))
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"


async def test_retime_actually_thursday_right_after_a_booking_moves_it_for_the_same_patient():
    # the booking leaves its clinic, time and patient for the next request; "actually make
    # it friday" opens the move with them (it asked "I need the patient again")
    confirmed = {"pending": "book_appointment:confirm"}
    offered = dict(OFFERED)
    _, events = await run(ActionContinue(), _choosing("the first one", **offered))
    state = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    trk = _choosing("yes", "affirm", **{**offered, **confirmed, "confirmed": state["confirmed"]})
    _, events = await run(ActionContinue(), trk)
    [last] = [e["value"] for e in events if e.get("name") == "last_task" and e["value"]][-1:]
    assert last == {
        "intent": "book_appointment",
        "slots": {"department": "cardiology", "time": "tomorrow", **PATIENT},
    }
    text = "actually make it friday"
    after = tracker(
        "s.ali",
        intent="inform",
        text=text,
        slots={"last_task": last},
        events=[{"event": "user", "text": text, "parse_data": {}}],
    )
    messages, events = await run(ActionContinue(), after)
    assert not any(m["custom"]["kind"] == "booking_move" for m in messages)  # not asked again
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot" and e["value"]}
    assert slots == {"time": "friday", "department": "cardiology", **PATIENT}
    assert events[-1]["name"] == "reschedule_appointment_form"
    # a bare time after a booking is no move
    bare = tracker("s.ali", intent="inform", text="friday", slots={"last_task": last})
    messages, _ = await run(ActionContinue(), bare)
    assert messages[0]["custom"]["kind"] != "booking_move"


async def test_retime_new_time_widens_the_part_nlu_tagged():
    # "thurs next week" with only "next week" tagged: next week's Thursday, not the week
    text = "actually make it thurs next week"
    trk = _choosing(text, **OFFERED)
    trk.events.append({"event": "slot", "name": "time", "value": "next week"})
    _, events = await run(ActionContinue(), trk)
    set_time = [e["value"] for e in events if e.get("event") == "slot" and e["name"] == "time"]
    assert set_time[0] == "thurs next week"


async def test_retime_typed_title_of_an_offered_slot_is_a_choice():
    messages, _ = await run(ActionContinue(), _choosing("Thu 3 Dec at 09:30", **OFFERED))
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"


def test_retime_offered_at_matches_the_day_as_well_as_the_time():
    from actions.scheduling import offered_at

    offered = {
        "ids": ["a", "b"],
        "starts": ["2026-12-07T10:00:00+00:00", "2026-12-08T10:00:00+00:00"],
    }
    assert offered_at(offered, "Tue 8 Dec at 10:00", NOW, TZ) == "b"
    assert offered_at(offered, "10:00", NOW, TZ) is None  # two offered at 10:00
    assert offered_at(offered, "Wed 9 Dec at 10:00", NOW, TZ) is None


@pytest.mark.parametrize("text", ["2nd", "3rd", "the 2nd"])
async def test_retime_an_ordinal_picking_an_offered_slot_is_never_a_date(text):
    # "2nd" is also a date (the 2nd of the month): at an offer it is a pick, and the time
    # asked stays as it was (was: the time became "2nd", so a later "no" found no slots)
    messages, events = await run(ActionContinue(), _choosing(text, **OFFERED))
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"
    assert not [e for e in events if e.get("event") == "slot" and e["name"] == "time"]


def test_retime_ordinal_pick_is_no_pick_inside_a_date_or_a_time():
    from actions.slotpick import ordinal_pick

    assert ordinal_pick("2nd", 3) == 1
    assert ordinal_pick("the second one", 3) == 1
    assert ordinal_pick("3rd dec", 3) is None
    assert ordinal_pick("Thu 3rd Dec at 14:00", 3) is None
    assert ordinal_pick("first available", 3) is None
    assert ordinal_pick("move the first one to next week", 3) == 0


async def test_retime_a_day_number_tagged_as_a_name_is_the_date_not_a_new_patient():
    # "Thu 10 Dec at 14:00" at an offer: NLU tagged "10" as the patient's name (the slot
    # mapping set it); it is the date's day: that day's slots, the patient unchanged
    text = "Thu 3 Dec at 12:30"
    trk = _choosing(text, **OFFERED)
    trk.latest_message["entities"] = [
        {"entity": "patient_name", "value": "3", "start": 4, "end": 5},
        {"entity": "time", "value": "Dec at 12:30", "start": 6, "end": 18},
    ]
    trk.events.append({"event": "slot", "name": "patient_name", "value": "3"})
    trk.events.append({"event": "slot", "name": "time", "value": "Dec at 12:30"})
    trk.slots.update(patient_name="3", time="Dec at 12:30")
    messages, events = await run(ActionContinue(), trk)
    kinds = [m["custom"]["kind"] for m in messages]
    assert "slot_corrected" not in kinds and "book_appointment_offer" in kinds
    offer = next(m for m in messages if m["custom"]["kind"] == "book_appointment_offer")
    assert all(s["start"].startswith("2026-12-03T1") for s in offer["custom"]["data"]["slots"])
    names = [e["value"] for e in events if e.get("event") == "slot" and e["name"] == "patient_name"]
    assert names == ["Mary Smith"]


@pytest.mark.parametrize(
    ("said", "step", "held", "meant"),
    [
        # at the confirmation of Fri 4 Dec 09:00: that Friday a week on, same booking
        (
            "actually can we do the week after instead",
            "confirm",
            "2026-12-04T09:00:00+00:00",
            "2026-12-11",
        ),
        # at an offer of Monday's slots: the Monday after
        ("make it the following week", "offer", "2026-12-07T09:20:00+00:00", "2026-12-14"),
        ("a week later please", "offer", "2026-12-07T09:20:00+00:00", "2026-12-14"),
    ],
)
def test_retime_the_week_after_is_a_week_after_the_day_in_hand(said, step, held, meant):
    # it asked the patient's name and turned the booking into a move of another
    # appointment; at an offer it offered the same slots again
    from actions.flow import new_time
    from actions.state import Turn

    state: dict = {
        "patient_name": "Mary Smith",
        "mrn": "10004821",
        "department": "orthopaedics",
        "time": "friday",
        "pending": f"book_appointment:{step}",
        "offered": {"kind": "slot", "ids": ["s1"], "starts": [held]},
    }
    if step == "confirm":
        state["confirmed"] = {"patient_id": "p1", "slot_id": "s1", "start": held}
    events: list[dict] = [
        *({"event": "slot", "name": k, "value": v} for k, v in state.items()),
        {"event": "user", "text": said, "parse_data": {}},
    ]
    trk = tracker("s.ali", intent="reschedule_appointment", text=said, slots=state, events=events)
    assert new_time(trk, Turn.of(trk)) == meant


BOOKED = {
    "intent": "book_appointment",
    "slots": {"department": "cardiology", "time": "tomorrow", **PATIENT},
}


@pytest.mark.parametrize("text", ["cancel it", "cancel that", "no cancel it", "scrap that"])
async def test_retime_cancel_it_right_after_a_booking_asks_to_cancel_that_appointment(text):
    # tried as a scheduler: "Booked: ..." / "cancel it" was "OK." and nothing was cancelled
    from actions.flow import ActionStop

    said = tracker("s.ali", intent="stop", text=text, slots={"last_task": BOOKED})
    messages, events = await run(ActionStop(), said)
    assert not any(m["custom"]["kind"] == "stop_ok" for m in messages)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot" and e["value"]}
    assert slots == {"department": "cardiology", "time": "tomorrow", **PATIENT}
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "cancel_appointment_form"}


async def test_retime_never_mind_right_after_a_booking_says_it_stands_and_how_to_cancel():
    from actions.flow import ActionStop

    said = tracker("s.ali", intent="stop", text="never mind", slots={"last_task": BOOKED})
    messages, events = await run(ActionStop(), said)
    assert [m["text"] for m in messages] == [
        "That booking was already made and stands - say 'cancel it' to cancel it."
    ]
    assert messages[0]["custom"]["phi"] is False  # no patient in it
    kept = [e["value"] for e in events if e.get("name") == "last_task"]
    assert kept and kept[-1] == BOOKED  # "cancel it" next still means that booking


@pytest.mark.parametrize(
    ("said", "joined"),
    [
        ("morning please", "friday morning"),  # was "friday at morning please", said back
        ("the afternoon", "friday afternoon"),
        ("10am if possible", "friday at 10am"),
        ("at 3pm thanks", "friday at 3pm"),
    ],
)
def test_retime_a_time_added_to_the_day_held_drops_the_courtesy_words(said, joined):
    from actions.retime import adds_a_time

    assert adds_a_time(said, "friday", NOW, TZ) == joined
