"""The answer to "Shall we carry on ...?" is read from what was said, not only NLU's intent."""

from __future__ import annotations

from typing import Any

import pytest

from actions.fallback import ActionFallback
from actions.flow import ActionNewRequest
from actions.resume import answers_offer, polarity
from actions.services import set_services
from actions.state import RESUME, Turn
from tests.actions.fakes import make_services, run, tracker

STASH = {
    "intent": "reschedule_appointment",
    "form": "reschedule_appointment_form",
    "slots": {"patient_name": "Jane Doe", "mrn": "10004821"},
}


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def offered(text, intent, confidence=0.6, entities=None, pending=RESUME, safety=None):
    """The message right after the offer to go back to a stashed move."""
    before = {"pending": pending, "stash": STASH}
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker(
        "s.ali",
        intent=intent,
        text=text,
        slots=before,
        entities=entities,
        events=events,
        safety=safety,
    )
    trk.latest_message["intent"]["confidence"] = confidence
    return trk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, I'll move the patient later", "deny"),
        ("nah, maybe later", "deny"),
        ("not now thanks", "deny"),
        ("leave it", "deny"),
        ("yeah go on", "affirm"),
        ("ok, carry on", "affirm"),
        ("go back to it", "affirm"),
        ("back to the booking", "affirm"),
        ("where were we", "affirm"),  # (NLU: find_patient, 0.62 - it asked for a patient)
        ("ok what were we doing", "affirm"),
        ("don't go back", "deny"),
        ("not urgent", None),
        ("nobody came", None),
        ("any free beds on 4B?", None),
    ],
)
def test_resume_polarity_reads_the_opening_word(text, expected):
    assert polarity(text) == expected


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("no, I'll move the patient later", "request_help", 0.43),
        ("no, keep it where it is", "request_help", 0.81),
        ("no, I just wanted to check the list", "check_request_status", 0.66),
        # sure of a task, but the task is put off
        ("no, I'll come back to the porter request later", "request_help", 0.97),
        ("no, I'll reschedule it another time", "reschedule_appointment", 0.97),
    ],
)
async def test_resume_a_no_with_task_words_declines_the_offer(text, intent, confidence):
    trk = offered(text, intent, confidence)
    assert answers_offer(trk, Turn.of(trk)) == "deny"
    messages, events = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    assert {"event": "slot", "name": "stash", "value": None, "timestamp": None} in events
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"


async def test_resume_a_yes_read_as_the_stashed_task_goes_back_with_its_details():
    trk = offered("yes, let's carry on with the move", "reschedule_appointment", 0.95)
    messages, events = await run(ActionNewRequest(), trk)
    assert messages == []
    assert {"event": "slot", "name": "mrn", "value": "10004821", "timestamp": None} in events
    assert events[-1] == {
        "event": "followup",
        "name": "reschedule_appointment_form",
        "timestamp": None,
    }


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "entities", "pending", "safety"),
    [
        # a new request NLU is sure of and nothing puts it off
        ("no, I need a porter", "request_help", 0.97, None, RESUME, None),
        # details of a new request
        (
            "no, any free beds on 4B?",
            "check_bed_availability",
            0.7,
            [{"entity": "ward", "value": "4B", "start": 21, "end": 23}],
            RESUME,
            None,
        ),
        ("no, he's not breathing", "emergency", 0.6, None, RESUME, None),
        ("no, he has collapsed", "request_help", 0.6, None, RESUME, "emergency"),
        # no offer open
        ("no, I'll move the patient later", "request_help", 0.43, None, None, None),
        ("no, keep it", "request_help", 0.6, None, "book_appointment:confirm", None),
        # no yes or no word
        ("I'll move the patient later", "request_help", 0.43, None, RESUME, None),
    ],
)
def test_resume_other_messages_are_not_answers(text, intent, confidence, entities, pending, safety):
    trk = offered(text, intent, confidence, entities, pending, safety)
    assert answers_offer(trk, Turn.of(trk)) is None


async def test_resume_a_no_nlu_could_not_place_declines_the_offer():
    trk = offered("no, leave the appointment as it is", "nlu_fallback", 0.4)
    messages, events = await run(ActionFallback(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"


@pytest.mark.parametrize(
    ("safety", "confidence", "kinds"),
    [
        ("none", 0.6, ["emergency_caution", "stop_ok"]),  # a doubt: caution, then the answer
        ("none", 0.95, ["emergency_answer"]),  # NLU sure: an emergency
        (None, 0.6, ["emergency_answer"]),  # the safety net did not check it: an emergency
    ],
)
async def test_resume_weak_nlu_emergency_the_safety_net_cleared_is_a_caution(
    safety, confidence, kinds
):
    from actions.conversation import ActionEmergency

    trk = offered("no, leave the patient where they are", "emergency", confidence, safety=safety)
    messages, _ = await run(ActionEmergency(), trk)
    assert [m["custom"]["kind"] for m in messages] == kinds


async def test_resume_a_new_request_instead_of_an_answer_keeps_the_task_quietly():
    # not offered again after the new request, but "where were we?" can still go back
    from actions.flow import ActionContinue
    from actions.state import resume_offer

    trk = offered("who is in bed 5 on 4B", "list_ward_patients", 0.95)
    _, events = await run(ActionNewRequest(), trk)
    stash = [e["value"] for e in events if e.get("name") == "stash"][-1]
    assert stash["quiet"] is True and resume_offer(stash) is None
    asked = tracker(
        "n.jones", intent="nlu_fallback", text="ok where were we", slots={"stash": stash}
    )
    messages, events = await run(ActionContinue(), asked)
    assert events[-1]["event"] == "followup"
    assert events[-1]["name"] == "reschedule_appointment_form"
    # one more request and it is gone
    again = tracker(
        "n.jones", intent="check_bed_availability", text="free beds on 4B", slots={"stash": stash}
    )
    _, events = await run(ActionNewRequest(), again)
    assert [e["value"] for e in events if e.get("name") == "stash"][-1] is None


def test_resume_emergency_access_is_kept_with_its_patient_and_offered_again():
    from actions.state import resume_offer, stash_of
    from intents.catalog import default_catalog

    form = default_catalog().form("breakglass_form")
    assert form is not None
    before = {"breakglass_patient": "p-1", "mrn": "10004821", "pending": None}
    stash = stash_of(tracker("dr.patel"), form, before)
    assert stash["slots"] == {"breakglass_patient": "p-1", "mrn": "10004821"}
    offer = resume_offer(stash)
    assert offer is not None
    text, custom = offer
    assert "emergency access" in text and custom["data"]["intent"] == "find_patient"


@pytest.mark.parametrize(
    ("form", "text", "stops"),
    [
        ("book_appointment_form", "cancel the booking", True),
        ("book_appointment_form", "no, scrap this appointment please", True),
        ("request_help_form", "cancel the porter", True),
        ("reschedule_appointment_form", "cancel the appointment", False),  # a new task
        ("book_appointment_form", "cancel the booking and book dermatology", False),
    ],
)
async def test_resume_calling_off_the_task_in_progress_stops_it(form, text, stops):
    trk = tracker(
        "s.ali",
        intent="cancel_appointment",
        text=text,
        slots={"patient_name": "Mary Smith", "requested_slot": "time"},
        active_loop=form,
        events=[{"event": "user", "text": text, "parse_data": {}}],
    )
    messages, events = await run(ActionNewRequest(), trk)
    assert (["stop_ok"] if stops else []) == [m["custom"]["kind"] for m in messages]
    assert (
        events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}
    ) is stops


async def test_resume_a_message_not_understood_asks_the_offer_again_once():
    trk = offered("hmm", "nlu_fallback", 0.3)
    trk.slots["pending"] = RESUME
    trk.slots["stash"] = STASH
    messages, events = await run(ActionFallback(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["resume_offer"]
    assert messages[0]["text"].startswith("Sorry, I didn't get that.")
    assert {"event": "slot", "name": "fallbacks", "value": 1, "timestamp": None} in events
    trk.slots["fallbacks"] = 1
    messages, _ = await run(ActionFallback(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["nlu_fallback_clarify"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [("later", "deny"), ("actually I'll do it later", "deny"), ("not now thanks", "inform")],
)
async def test_resume_putting_the_task_off_while_a_form_asks_stops_it(text, intent):
    from actions.flow import ActionContinue
    from actions.reading import is_interruption
    from intents.catalog import default_catalog

    catalog = default_catalog()
    trk = tracker(
        "s.ali",
        intent=intent,
        text=text,
        slots={"requested_slot": "patient_name"},
        active_loop="cancel_appointment_form",
    )
    form = catalog.form("cancel_appointment_form")
    assert form is not None and is_interruption(Turn.of(trk), form, "patient_name", catalog)
    messages, events = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    assert {"event": "active_loop", "name": None, "timestamp": None} in events


async def test_resume_stopping_a_task_that_interrupted_another_offers_that_one_again():
    from actions.flow import ActionStop

    trk = tracker(
        "s.ali",
        intent="stop",
        text="forget it",
        slots={"stash": STASH, "help_type": "porter", "requested_slot": "ward"},
        active_loop="request_help_form",
    )
    messages, events = await run(ActionStop(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok", "resume_offer"]
    assert {"event": "slot", "name": "pending", "value": RESUME, "timestamp": None} in events
    assert {"event": "slot", "name": "help_type", "value": None, "timestamp": None} in events
    assert not any(e.get("name") == "stash" for e in events)  # kept


async def test_resume_stop_at_the_offer_drops_everything():
    from actions.flow import ActionStop

    trk = tracker("s.ali", intent="stop", text="stop", slots={"stash": STASH, "pending": RESUME})
    messages, events = await run(ActionStop(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    assert {"event": "slot", "name": "stash", "value": None, "timestamp": None} in events


async def test_resume_a_yes_naming_a_detail_goes_back_with_it_changed():
    from actions.flow import ActionContinue

    stash = {
        "intent": "book_appointment",
        "form": "book_appointment_form",
        "slots": {"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"},
    }
    text = "yes but make it dermatology"
    entity = {"entity": "department", "value": "dermatology", "start": 17, "end": 28}
    trk = tracker(
        "s.ali",
        intent="affirm",
        text=text,
        slots={"pending": RESUME, "stash": stash},
        entities=[entity],
    )
    messages, events = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["slot_corrected"]
    assert {
        "event": "slot",
        "name": "department",
        "value": "dermatology",
        "timestamp": None,
    } in events
    assert {"event": "slot", "name": "mrn", "value": "10004821", "timestamp": None} in events


@pytest.mark.parametrize(("text", "drops"), [("that's all thanks", True), ("thanks", False)])
async def test_resume_thanks_that_says_done_declines_the_offer(text, drops):
    from actions.conversation import ActionThank

    trk = offered(text, "thank", 0.9)
    trk.slots["pending"] = RESUME
    trk.slots["stash"] = STASH
    messages, events = await run(ActionThank(), trk)
    if drops:
        assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
        assert {"event": "slot", "name": "stash", "value": None, "timestamp": None} in events
    else:
        assert [m.get("response") for m in messages] == ["utter_thank_answer"] and events == []


BOOKING = {
    "intent": "book_appointment",
    "form": "book_appointment_form",
    "slots": {"patient_name": "Maria Lopez", "department": "cardiology", "time": "tuesday"},
}


def offered_booking(text, intent="inform", entities=None, misses=None):
    before = {"pending": RESUME, "stash": BOOKING, "misses": misses}
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    return tracker(
        "s.ali", intent=intent, text=text, slots=before, entities=entities, events=events
    )


async def test_resume_a_change_of_the_offered_tasks_detail_carries_on_with_it():
    # "actually make it wednesday" to "Shall we carry on booking for M.L.?": yes, changed
    from actions.flow import ActionContinue

    said = "actually make it wednesday"
    trk = offered_booking(said, entities=[{"entity": "time", "value": "wednesday", "start": 17}])
    messages, events = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["slot_corrected"]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["time"] == "wednesday" and slots["department"] == "cardiology"
    assert {"event": "active_loop", "name": "book_appointment_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


async def test_resume_the_offer_is_not_asked_a_third_time():
    from actions.flow import ActionContinue
    from actions.resume import RESUME_MISSED

    messages, events = await run(ActionContinue(), offered_booking("the first one"))
    assert "Yes or no?" in messages[0]["text"]
    assert {"event": "slot", "name": "misses", "value": RESUME_MISSED, "timestamp": None} in events
    messages, events = await run(
        ActionContinue(), offered_booking("the first one", misses=RESUME_MISSED)
    )
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    assert "Yes or no?" not in messages[0]["text"]
    assert {"event": "slot", "name": "stash", "value": None, "timestamp": None} in events


async def test_resume_her_mrn_while_the_mrn_is_asked_is_the_answer_not_a_new_request():
    # "her mrn is 10329456" read as find_patient (0.58) while booking asks the MRN
    text = "her mrn is 10329456"
    trk = tracker(
        "s.ali",
        intent="find_patient",
        text=text,
        slots={"patient_name": "Maria Lopez", "requested_slot": "mrn"},
        entities=[{"entity": "mrn", "value": "10329456", "start": 11, "end": 19}],
        active_loop="book_appointment_form",
        events=[{"event": "user", "text": text, "parse_data": {}}],
    )
    messages, events = await run(ActionNewRequest(), trk)
    assert messages == []
    assert events == [{"event": "followup", "name": "book_appointment_form", "timestamp": None}]


def test_resume_a_question_naming_an_mrn_mid_form_is_a_new_request():
    from actions.reading import gives_asked_detail
    from intents.catalog import default_catalog

    for text, gives in [("where is mrn 10329456", False), ("her mrn is 10329456", True)]:
        trk = tracker(
            "s.ali",
            intent="find_patient",
            text=text,
            entities=[{"entity": "mrn", "value": "10329456", "start": len(text) - 8}],
        )
        assert gives_asked_detail(Turn.of(trk), "mrn", default_catalog()) is gives


async def test_resume_a_task_called_off_before_a_new_question_is_not_offered_again():
    # "actually forget that, is bed 7 on 4B free?" mid-booking: answered, and the booking
    # is not offered again afterwards (it was: "Shall we carry on booking for O.S.?")
    text = "actually forget that, is bed 7 on 4B free?"
    trk = tracker(
        "n.jones",
        intent="check_bed_availability",
        text=text,
        slots={"patient_name": "Omar Silva", "requested_slot": "mrn"},
        active_loop="book_appointment_form",
        events=[{"event": "user", "text": text, "parse_data": {}}],
    )
    _, events = await run(ActionNewRequest(), trk)
    assert {"event": "slot", "name": "stash", "value": None, "timestamp": None} in events
    # the same question without calling the booking off keeps it for afterwards
    plain = tracker(
        "n.jones",
        intent="check_bed_availability",
        text="is bed 7 on 4B free?",
        slots={"patient_name": "Omar Silva", "requested_slot": "mrn"},
        active_loop="book_appointment_form",
        events=[{"event": "user", "text": "is bed 7 on 4B free?", "parse_data": {}}],
    )
    _, kept = await run(ActionNewRequest(), plain)
    stash = [e["value"] for e in kept if e.get("name") == "stash"]
    assert stash and stash[-1] and stash[-1]["intent"] == "book_appointment"


async def test_resume_putting_the_form_off_stops_it_whatever_nlu_read():
    # "forget it, I'll do it later" while the bed's status is asked: NLU read a help
    # request, and a help form asked "Which ward?" instead of stopping
    trk = tracker(
        intent="request_help",
        text="forget it, I'll do it later",
        slots={"ward": "4B", "bed": "4B-05", "requested_slot": "bed_status"},
        active_loop="update_bed_status_form",
    )
    messages, events = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"


async def test_resume_status_of_a_bed_is_asked_not_a_change_to_make(services):
    # "status of ICU bed 1" (NLU: a bed change, no new status): its state answered, not
    # "What is the bed's new status?"
    entities = [
        {"entity": "ward", "value": "4B", "start": 10, "end": 12},
        {"entity": "bed", "value": "1", "start": 17, "end": 18},
    ]
    trk = tracker(
        "n.jones", intent="update_bed_status", text="status of 4B bed 1", entities=entities
    )
    messages, events = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages][0].startswith("check_bed_availability")
    assert not any(e["event"] == "followup" and e["name"].endswith("_form") for e in events)
    assert not any(c[0] == "set_bed_status" for c in services.hms.calls)


async def test_resume_free_slots_naming_a_patient_is_a_booking(services):
    # "book Mary Smith into the next free cardiology slot" (NLU: free slots): a booking
    entities = [{"entity": "patient_name", "value": "Mary Smith", "start": 5, "end": 15}]
    trk = tracker(
        "s.ali",
        intent="check_free_slots",
        text="book Mary Smith into the next free cardiology slot",
        entities=entities,
    )
    _, events = await run(ActionNewRequest(), trk)
    assert {"event": "followup", "timestamp": None, "name": "book_appointment_form"} in events


async def test_resume_forget_the_bed_status_mid_form_stops_it(services):
    # "actually forget the bed status" while the new status was asked: NLU read a request
    # status question ("You have no help requests.") and the form was offered back
    trk = tracker(
        intent="check_request_status",
        text="actually forget the bed status",
        slots={"ward": "4B", "bed": "4B-09", "requested_slot": "bed_status"},
        active_loop="update_bed_status_form",
    )
    messages, _ = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]


def test_resume_back_to_the_offered_task_naming_its_own_detail_is_a_yes():
    # "back to the porter" to "Shall we carry on with the help request?" (a porter
    # request for ICU) restarted the form and asked for the ward again
    from actions.resume import answers_offer

    stash = {
        "intent": "request_help",
        "form": "request_help_form",
        "slots": {"help_type": "porter", "ward": "ICU"},
    }
    porter = {"entity": "help_type", "value": "porter", "start": 12, "end": 18}
    events: list[dict] = [
        {"event": "slot", "name": "pending", "value": RESUME},
        {"event": "slot", "name": "stash", "value": stash},
        {"event": "user", "text": "back to the porter", "parse_data": {}},
    ]
    trk = tracker(
        "b.okoro",
        intent="request_help",
        text="back to the porter",
        slots={"pending": RESUME, "stash": stash},
        entities=[porter],
        events=events,
    )
    turn = Turn.of(trk)
    assert answers_offer(trk, turn) == "affirm"
    it = {"entity": "help_type", "value": "it", "start": 12, "end": 14}
    other = tracker(
        "b.okoro",
        intent="request_help",
        text="back to the IT one",
        slots={"pending": RESUME, "stash": stash},
        entities=[it],
        events=events,
    )
    assert answers_offer(other, Turn.of(other)) is None  # another detail: not a plain yes


async def test_resume_the_answer_right_after_a_form_gave_up_takes_it_up_again():
    # "tuesday" right after "I couldn't get the time, so I've stopped there" was "Sorry,
    # I didn't get that": the booking is kept quietly for that one message
    from rasa_sdk.executor import CollectingDispatcher

    from actions.flow import resume_quiet
    from actions.state import kept_after_giving_up

    held = {"patient_name": "Jane Doe", "mrn": "10004821", "department": "cardiology"}
    stopped = tracker("s.ali", intent="nlu_fallback", text="?", slots=held)
    events = kept_after_giving_up(stopped, "book_appointment", "time")
    stash = [e["value"] for e in events if e.get("name") == "stash"][-1]
    assert stash["missed"] == "time" and stash["quiet"] and stash["slots"] == held
    when = {"entity": "time", "value": "tuesday", "start": 0, "end": 7}
    answer = tracker(
        "s.ali", intent="inform", text="tuesday", slots={"stash": stash}, entities=[when]
    )
    dispatcher = CollectingDispatcher()
    resumed = resume_quiet(dispatcher, answer, Turn.of(answer))
    assert resumed is not None and resumed[-1]["name"] == "book_appointment_form"
    assert {"event": "slot", "name": "mrn", "value": "10004821", "timestamp": None} in resumed
    assert not any(
        (m.get("custom") or {}).get("kind") == "slot_corrected" for m in dispatcher.messages
    )
    other = tracker("s.ali", intent="inform", text="hmm", slots={"stash": stash})
    assert resume_quiet(CollectingDispatcher(), other, Turn.of(other)) is None


async def test_resume_a_booking_left_at_its_confirm_goes_back_to_that_confirm():
    # "Book M.S. ... at 09:40?" / "any side rooms free on 4B?" / "ok yes carry on": the
    # 09:40 is confirmed again (it went back to the list of slots, the choice forgotten)
    from actions.appointments import ActionBookAppointment
    from actions.resume import go_back

    confirmed = {"patient_id": "p-1", "slot_id": "slot-1", "start": "x", "appointment_id": None}
    before: dict[str, Any] = {
        "patient_name": "Mary Smith",
        "mrn": "10004821",
        "department": "cardiology",
        "pending": "book_appointment:confirm",
        "confirmed": confirmed,
    }
    text = "any side rooms free on 4B?"
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    asked = tracker(
        "n.jones", intent="check_bed_availability", text=text, slots=before, events=events
    )
    _, events = await run(ActionNewRequest(), asked)
    stash = [e["value"] for e in events if e.get("name") == "stash"][-1]
    assert stash["slots"]["confirmed"] == confirmed
    back = tracker(
        "n.jones",
        intent="affirm",
        text="ok yes carry on",
        slots={"pending": RESUME, "stash": stash},
    )
    from rasa_sdk.executor import CollectingDispatcher

    resumed = go_back(CollectingDispatcher(), back, Turn.of(back), "affirm")
    slots = {e["name"]: e["value"] for e in resumed if e.get("event") == "slot"}
    assert slots["confirmed"] == confirmed
    form_done = {k: v for k, v in slots.items() if v is not None}
    messages, events = await run(
        ActionBookAppointment(), tracker("n.jones", intent="affirm", slots=form_done)
    )
    assert messages[0]["custom"]["kind"] == "book_appointment_confirm"
    assert messages[0]["custom"]["data"]["slot_id"] == "slot-1"
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "pending",
        "value": "book_appointment:confirm",
    } in events
    # "yes, but make it dermatology" on the way back: the slot confirmed no longer fits
    changed = tracker(
        "n.jones",
        intent="affirm",
        text="yes but make it dermatology",
        slots={"pending": RESUME, "stash": stash},
        entities=[{"entity": "department", "value": "dermatology", "start": 16, "end": 27}],
    )
    resumed = go_back(CollectingDispatcher(), changed, Turn.of(changed), "affirm")
    assert not any(e.get("name") == "confirmed" for e in resumed)


async def test_resume_a_pick_of_the_interrupted_offer_goes_back_and_takes_it():
    # a booking offered slots, a bed question came in between; "yes the second one" at
    # "Shall we carry on booking ...?" offered the same slots again (the pick was lost)
    from actions.appointments import ActionBookAppointment
    from actions.flow import ActionContinue
    from actions.state import RESUME, stash_of
    from intents.catalog import default_catalog
    from tests.actions.fakes import make_services

    set_services(make_services())
    patient = {"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"}
    _, events = await run(
        ActionBookAppointment(),
        tracker(
            "n.jones", intent="book_appointment", slots={**patient, "time": "tomorrow at 10:30"}
        ),
    )
    step = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    offered = step["offered"]
    before = {
        **patient,
        "time": "tomorrow at 10:30",
        "pending": step["pending"],
        "offered": offered,
    }
    form = default_catalog().form("book_appointment_form")
    assert form is not None
    stash = stash_of(tracker("n.jones"), form, before)
    assert stash["step"]["offered"]["ids"] == offered["ids"]
    at_offer = {"pending": RESUME, "stash": stash}
    said = "yes the second one"
    trk = tracker(
        "n.jones",
        intent="affirm",
        text=said,
        slots=at_offer,
        events=[
            *({"event": "slot", "name": k, "value": v} for k, v in at_offer.items()),
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": said, "parse_data": {}},
        ],
    )
    messages, events = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["book_appointment_confirm"]
    confirmed = [e["value"] for e in events if e.get("name") == "confirmed"][-1]
    assert confirmed["slot_id"] == offered["ids"][1]


async def test_resume_a_task_whose_patient_was_given_before_the_events_sent_keeps_it():
    # a booking of seven messages: the action server gets only the last five turns'
    # events, so the patient set in the first message was left out of the stash when
    # "hang on is he on a ward?" interrupted it ("Shall we carry on booking?" without
    # them, then "That MRN and name don't belong to the same patient")
    now = {
        "patient_name": "Mary Smith",
        "mrn": "10004821",
        "department": "respiratory",
        "time": "tuesday",
        "pending": "book_appointment:offer",
    }
    window: list[dict[str, Any]] = [  # the five turns sent: the clinic and the day, not the patient
        {"event": "user", "text": "respiratory", "parse_data": {}},
        {"event": "slot", "name": "department", "value": "respiratory"},
        {"event": "user", "text": "tuesday", "parse_data": {}},
        {"event": "slot", "name": "time", "value": "tuesday"},
        {"event": "slot", "name": "pending", "value": "book_appointment:offer"},
        {"event": "user", "text": "ok where were we", "parse_data": {}},
    ]
    asked = tracker(
        "s.ali", intent="find_patient", text="ok where were we", slots=now, events=window
    )
    _, events = await run(ActionNewRequest(), asked)
    stash = [e["value"] for e in events if e.get("name") == "stash"][-1]
    assert stash["slots"]["patient_name"] == "Mary Smith"
    assert stash["slots"]["mrn"] == "10004821"
    assert stash["slots"]["department"] == "respiratory"
