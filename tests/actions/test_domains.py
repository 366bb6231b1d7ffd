"""Beds, patients, help requests, conversation and handoff actions."""

from __future__ import annotations

import pytest

from actions.beds import ActionCheckBedAvailability, bed_number, bed_status_code
from actions.conversation import ActionAskCapabilities, ActionEmergency
from actions.flow import ActionStop
from actions.handoff import ActionTalkToHuman
from actions.help import ActionCheckRequestStatus, ActionRequestHelp
from actions.patients import ActionFindPatient
from actions.services import set_services
from assistant.hms.models import Patient
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def test_beds_free_beds_on_a_ward(services):
    trk = tracker("p.kim", slots={"ward": "four b"})
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["text"].startswith("Ward 4B has 2 free beds")
    assert messages[0]["custom"]["phi"] is False


async def test_beds_by_type_hospital_wide(services):
    messages, _ = await run(
        ActionCheckBedAvailability(), tracker("p.kim", slots={"bed_type": "side room"})
    )
    assert messages[0]["text"] == "Free side room beds hospital-wide: Ward 4B: 1."


async def test_beds_summary_without_ward(services):
    messages, _ = await run(ActionCheckBedAvailability(), tracker("n.jones"))
    assert messages[0]["text"].startswith(
        "3 free beds hospital-wide: Ward 4B 2 of 3, Ward 7C 1 of 2"
    )


async def test_beds_question_about_another_status_answers_that_status(services):
    # "which beds need cleaning on 7C": the beds waiting for cleaning, not the free ones
    trk = tracker("b.okoro", text="which beds need cleaning on 7C", slots={"ward": "7C"})
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    data = messages[0]["custom"]["data"]
    assert data["status"] == "H" and [b["label"] for b in data["beds"]] == ["7C Bed 2"]
    trk = tracker("b.okoro", text="any closed beds on 4B?", slots={"ward": "4B"})
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["custom"]["kind"] == "check_bed_availability_none"
    assert messages[0]["custom"]["data"]["status"] == "C"


async def test_beds_status_question_without_a_ward_counts_per_ward(services):
    trk = tracker("b.okoro", text="which beds need cleaning")
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["custom"]["data"] == {"feature": None, "wards": {"7C": 1}, "status": "H"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("needs cleaning", "H"),
        ("free", "U"),
        ("K", "K"),
        ("closed", "C"),
        ("banana", None),
        ("block bed 12 on 4B for cleaning", "H"),
        ("take bed 4 off for a deep clean", "H"),
        ("block bed 3", "C"),
    ],
)
def test_beds_status_words_map_to_v2_0116(text, code):
    assert bed_status_code(text) == code


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("4B-06", ("4B", "6")),
        ("bed 12", (None, "12")),
        ("7", (None, "7")),
        ("the window", (None, None)),
        ("bed twelve", (None, "12")),
        ("twenty one", (None, "21")),
        ("4B bed 6", ("4B", "6")),
        ("ICU-03", ("ICU", "3")),
        ("paed-12", ("PAED", "12")),
        ("7-04", ("7", "4")),
        ("bed-6", (None, "6")),
    ],
)
def test_beds_bed_number_parsing(text, parsed):
    assert bed_number(text) == parsed


async def test_patients_locate_on_own_ward_gives_minimum_necessary(services):
    messages, _ = await run(ActionFindPatient(), tracker("n.jones", slots={"mrn": "10004821"}))
    assert messages[0]["text"] == "MS (MRN ending 4821) is on Ward 4B, Bay 1, 4B Bed 1."
    assert messages[0]["custom"] == {
        "phi": True,
        "kind": "find_patient_success",
        "data": {
            "ward": "4B",
            "bed": "4B Bed 1",
            "room": "Bay 1",
            "initials": "MS",
            "mrn_last4": "4821",
        },
    }
    assert services.audit.events[0].patient_ref == "Patient/p-1"


async def test_patients_other_ward_is_denied_without_data(services):
    messages, _ = await run(ActionFindPatient(), tracker("n.jones", slots={"mrn": "10009999"}))
    text = messages[0]["text"]
    # the denial must not reveal where the patient is, nor who they are
    assert "7C" not in text and "JD" not in text and "that ward's staff" in text
    assert "custom" not in messages[0] or messages[0]["custom"]["phi"] is False
    assert services.audit.events[0].outcome == "denied"


async def test_patients_bed_manager_sees_all_wards(services):
    messages, _ = await run(ActionFindPatient(), tracker("b.okoro", slots={"mrn": "10009999"}))
    assert "Ward 7C" in messages[0]["text"]


async def test_patients_porter_is_denied(services):
    messages, _ = await run(ActionFindPatient(), tracker("p.kim", slots={"mrn": "10004821"}))
    assert "needs the nurse, clinician or bed manager role" in messages[0]["text"]
    assert "signed in as porter" in messages[0]["text"]
    assert not any(c[0] == "find_patients" for c in services.hms.calls)


async def test_help_request_creates_task_and_tells_ticket(services):
    trk = tracker(
        "p.kim",
        slots={
            "help_type": "porter",
            "ward": "4B",
            "bed": "2",
            "urgency": "urgent",
            "help_description": "wheelchair",
        },
    )
    messages, _ = await run(ActionRequestHelp(), trk)
    assert "HR-000001" in messages[0]["text"]
    assert services.hms.tasks[0].location_id == "bed-4b-02"
    assert services.hms.tasks[0].priority == "urgent"
    messages, _ = await run(ActionCheckRequestStatus(), tracker("p.kim"))
    assert messages[0]["text"].startswith("Your requests: HR-000001 porter: requested")


async def test_conversation_capabilities_are_role_tailored(services):
    messages, _ = await run(ActionAskCapabilities(), tracker("p.kim"))
    text = messages[0]["text"]
    assert text.startswith("You're signed in as porter. You can ask me to: find free beds")
    assert "appointments" not in text and "2222" in text


async def test_conversation_emergency_answers_at_once_and_leaves_form(services):
    messages, events = await run(
        ActionEmergency(), tracker(None, principal=None, active_loop="request_help_form")
    )
    assert "call 2222 now" in messages[0]["text"]
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events if e["event"] == "active_loop"
    ]
    assert services.hms.calls == []


async def test_conversation_stop_abandons_the_form(services):
    trk = tracker("n.jones", active_loop="book_appointment_form")
    messages, events = await run(ActionStop(), trk)
    assert messages[0]["custom"]["kind"] == "stop_ok"
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert {"event": "slot", "name": "stash", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


async def test_handoff_opens_ticket_with_transcript(services):
    events = [
        {
            "event": "user",
            "text": "book a bed",
            "timestamp": 1.0,
            "parse_data": {"intent": {"name": "book_appointment"}},
        },
        {"event": "bot", "text": "What is the patient's full name?", "timestamp": 2.0},
    ]
    messages, _ = await run(ActionTalkToHuman(), tracker("n.jones", events=events))
    assert "HD-000001" in messages[0]["text"]
    [opened] = services.tickets.opened
    assert [t["role"] for t in opened["transcript"]] == ["user", "bot"]
    assert opened["summary"]["last_task"] == "book_appointment"
    assert opened["requester"] == "n.jones"


async def test_beds_answer_clears_every_task_slot_when_done(services):
    trk = tracker("n.jones", slots={"ward": "4B", "bed_type": "side room"})
    _, events = await run(ActionCheckBedAvailability(), trk)
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert {"ward", "bed_type", "patient_name", "mrn", "pending", "offered"} <= cleared


async def test_beds_unknown_ward_named_in_words_is_answered_not_ignored(services):
    trk = tracker("n.jones", intent="check_bed_availability", text="any free beds on ward 3?")
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    custom = messages[0]["custom"]
    assert custom["kind"] == "unknown_ward" and custom["data"]["value"] == "3"
    assert set(custom["data"]["suggestions"]) == {"4B", "7C"}


async def test_beds_one_bed_said_in_words(services):
    trk = tracker("n.jones", slots={"ward": "4B", "bed": "bed two"})
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["text"] == "4B Bed 2 is free."


async def test_beds_one_bed_without_a_ward_is_on_the_users_only_ward(services):
    # "is bed 2 free?" from the 4B nurse is about 4B bed 2; a porter (no ward) gets the summary
    def said(user: str):
        return tracker(
            user, intent="check_bed_availability", text="is bed 2 free?", slots={"bed": "2"}
        )

    messages, _ = await run(ActionCheckBedAvailability(), said("n.jones"))
    assert messages[0]["text"] == "4B Bed 2 is free."
    messages, _ = await run(ActionCheckBedAvailability(), said("p.kim"))
    assert messages[0]["custom"]["kind"] == "check_bed_availability_summary"


async def test_conversation_finished_task_offers_to_resume_the_stashed_one(services):
    stash = {
        "intent": "book_appointment",
        "form": "book_appointment_form",
        "slots": {"patient_name": "Tom Adams"},
    }
    trk = tracker("n.jones", slots={"ward": "4B", "stash": stash})
    messages, events = await run(ActionCheckBedAvailability(), trk)
    offer = messages[-1]
    assert offer["text"] == "Shall we carry on booking for T.A.?"
    assert offer["custom"] == {
        "phi": False,
        "kind": "resume_offer",
        "data": {"intent": "book_appointment"},
    }
    assert {"event": "slot", "name": "pending", "value": "resume"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


async def test_help_status_by_ticket_only_for_the_requester_or_help_desk(services):
    trk = tracker("p.kim", slots={"help_type": "it", "help_description": "printer"})
    await run(ActionRequestHelp(), trk)
    ask = {"ticket_id": "HR-000001"}
    own, _ = await run(ActionCheckRequestStatus(), tracker("p.kim", slots=ask))
    assert own[0]["text"].startswith("HR-000001 IT: requested")
    other, _ = await run(ActionCheckRequestStatus(), tracker("n.jones", slots=ask))
    assert "not one of your requests" in other[0]["text"]
    assert "requested" not in other[0]["text"] and "it" not in other[0]["text"].split()
    desk, _ = await run(ActionCheckRequestStatus(), tracker("h.lee", slots=ask))
    assert desk[0]["text"].startswith("HR-000001 IT: requested")
    outcomes = [(e.staff, e.outcome, e.reason) for e in services.audit.events[1:]]
    assert outcomes == [("p.kim", "success", None), ("n.jones", "denied", "not_requester"),
                        ("h.lee", "success", None)]  # fmt: skip


async def test_patients_not_admitted_reads_like_another_ward_for_a_ward_nurse(services):
    from tests.actions.fakes import Patient

    services.hms.patients.append(Patient("p-3", "10001234", "Ann", "Outpatient"))
    elsewhere, _ = await run(ActionFindPatient(), tracker("n.jones", slots={"mrn": "10009999"}))
    at_home, _ = await run(ActionFindPatient(), tracker("n.jones", slots={"mrn": "10001234"}))
    assert at_home[0]["text"] == elsewhere[0]["text"]  # admitted on 7C vs not admitted
    assert "1234" not in at_home[0]["text"] and "AO" not in at_home[0]["text"]
    assert [e.outcome for e in services.audit.events] == ["denied", "denied"]
    seen_all, _ = await run(ActionFindPatient(), tracker("b.okoro", slots={"mrn": "10001234"}))
    assert "is not currently admitted" in seen_all[0]["text"]  # hospital-wide role


async def test_beds_my_ward_is_the_users_own_ward(services):
    trk = tracker("n.jones", intent="check_bed_availability", text="any free beds on my ward?")
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["custom"]["kind"] == "check_bed_availability_success"
    assert messages[0]["custom"]["data"]["ward"] == "4B"


async def test_beds_my_ward_without_a_ward_of_ones_own_is_hospital_wide(services):
    trk = tracker("p.kim", intent="check_bed_availability", text="any free beds on my ward?")
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["text"].startswith("3 free beds hospital-wide")


@pytest.mark.parametrize("text", ["which ward has a free side room?", "free beds, ward is full"])
async def test_beds_words_after_ward_are_not_taken_for_a_ward(services, text):
    trk = tracker("n.jones", intent="check_bed_availability", text=text)
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["custom"]["kind"] != "unknown_ward"


@pytest.mark.parametrize(
    ("text", "value"),
    [("any free beds on ward three?", "3"), ("free beds on the cardiac ward", "cardiac")],
)
async def test_beds_unknown_ward_named_oddly_is_named_back_with_the_wards(services, text, value):
    trk = tracker("n.jones", intent="check_bed_availability", text=text)
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    [reply] = [m for m in messages if m["custom"]["kind"] == "unknown_ward"]
    assert reply["custom"]["data"]["value"] == value
    assert {"4B", "7C"} <= set(reply["custom"]["data"]["suggestions"])


async def test_help_request_for_my_ward_is_located_on_the_users_ward(services):
    slots = {"help_type": "porter", "ward": "mine", "urgency": "routine"}
    messages, _ = await run(ActionRequestHelp(), tracker("n.jones", slots=slots))
    assert "HR-000001" in messages[0]["text"]
    assert services.hms.tasks[0].location_id == "ward-4b"


async def test_fallback_offers_only_tasks_the_user_may_ask_for(services):
    from actions.fallback import ActionFallback

    trk = tracker("p.kim", intent="nlu_fallback", text="any jobs for me?")
    trk.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "list_appointments", "confidence": 0.3},
        {"name": "check_bed_availability", "confidence": 0.2},
        {"name": "request_help", "confidence": 0.1},
    ]
    messages, _ = await run(ActionFallback(), trk)
    assert messages[0]["custom"]["kind"] == "nlu_fallback_rephrase"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["/check_bed_availability", "/request_help"]


async def test_fallback_a_question_reread_as_a_task_is_answered_once_and_waits(services):
    # "is bed 2 free?" NLU was unsure of: answered as the free-bed question, then listen
    # (no second "didn't get that" from Rasa's own fallback)
    from actions.fallback import ActionFallback

    bed = [{"entity": "bed", "value": "2", "start": 3, "end": 8}]
    trk = tracker("n.jones", intent="nlu_fallback", text="is bed 2 free?", entities=bed)
    trk.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "check_bed_availability", "confidence": 0.47},
        {"name": "update_bed_status", "confidence": 0.4},
    ]
    messages, events = await run(ActionFallback(), trk)
    assert [m["text"] for m in messages] == ["4B Bed 2 is free."]
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


async def test_fallback_a_question_reread_as_a_task_keeps_the_ward_it_names(services):
    # "how many on 7c" after a bed question, NLU unsure (so no slot took "7c"): the
    # answer is 7C's, not a hospital-wide summary that ignores the ward asked about
    from actions.fallback import ActionFallback

    ward = [{"entity": "ward", "value": "7c", "start": 12, "end": 14}]
    trk = tracker("b.okoro", intent="nlu_fallback", text="how many on 7c", entities=ward)
    trk.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "check_bed_availability", "confidence": 0.38},
    ]
    messages, events = await run(ActionFallback(), trk)
    assert messages[0]["custom"]["kind"].startswith("check_bed_availability")
    assert messages[0]["custom"]["kind"] != "check_bed_availability_summary"
    assert "hospital-wide" not in messages[0]["text"]
    assert "7C" in messages[0]["text"]
    assert {"event": "slot", "name": "ward", "value": "7c", "timestamp": None} in events


@pytest.mark.parametrize(
    ("text", "picks"),
    [
        ("hang on, is it possible to do the 09:20 instead", True),
        ("hang on, can we do the second one instead", True),
        ("the third one", False),  # only two were offered
        ("can I have the 9:40 one", False),  # not offered
        ("any free beds on ward 2?", False),
    ],
)
def test_flow_a_message_naming_an_offered_time_is_a_choice_whatever_its_intent(
    services, text, picks
):
    from actions.flow import picks_an_offered_time
    from actions.state import Turn

    offered = {
        "kind": "slot",
        "ids": ["slot-1", "slot-2"],
        "starts": ["2026-12-03T09:00:00+00:00", "2026-12-03T09:20:00+00:00"],
    }
    before = {"pending": "book_appointment:confirm", "offered": offered}
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker("s.ali", intent="request_help", text=text, slots=before, events=events)
    assert picks_an_offered_time(trk, Turn.of(trk)) is picks


@pytest.mark.parametrize(
    "text", ["done bed 12 on 4B", "bed 12 on 4B is done", "finished bed 6", "bed 4 cleaned"]
)
def test_beds_housekeeping_done_is_free(text):
    assert bed_status_code(text) == "U"


@pytest.mark.parametrize("text", ["bed 12 not done yet", "bed 4 isn't done"])
def test_beds_not_done_is_no_status(text):
    assert bed_status_code(text) is None


def two_wards(first: str, second: str, text: str):
    entities = [
        {"entity": "ward", "value": first, "start": 0, "end": 1},
        {"entity": "ward", "value": second, "start": 2, "end": 3},
    ]
    return tracker("p.kim", intent="check_bed_availability", text=text, entities=entities,
                   slots={"ward": second})  # fmt: skip


async def test_beds_two_wards_in_one_question_answers_each(services):
    trk = two_wards("4B", "7C", "any free beds on 4B and 7C?")
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    wards = [m["custom"]["data"]["ward"] for m in messages]
    assert wards == ["4B", "7C"]
    assert messages[0]["text"].startswith("Ward 4B has 2 free beds")
    [event] = services.audit.events  # one guarded action, one event
    assert event.outcome == "success"


@pytest.mark.parametrize(
    ("text", "answered"),
    [("any free beds on 4B and on 7C?", ["4B", "7C"]), ("free beds on 7C not 4B", ["7C"])],
)
async def test_beds_a_question_naming_two_wards_answers_each(services, text, answered):
    entities = [
        {"entity": "ward", "value": w, "start": text.index(w), "end": text.index(w) + 2}
        for w in ("4B", "7C")
    ]
    trk = tracker(
        "b.okoro", intent="check_bed_availability", text=text, entities=entities,
        slots={"ward": "7C"},
    )  # fmt: skip
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert [m["custom"]["data"]["ward"] for m in messages] == answered


async def test_patients_a_fuller_name_after_which_patient_searches_again(services):
    # "8 patients match that name. What is their date of birth or MRN?" - "Ngozi Price"
    # was "None of the patients with that name has that date of birth or MRN."
    services.hms.patients.append(Patient("p-3", "10004822", "Mary", "Jones"))
    trk = tracker("n.jones", slots={"patient_name": "mary"})
    messages, events = await run(ActionFindPatient(), trk)
    assert messages[0]["custom"]["kind"] == "find_patient_ambiguous"
    offered = next(e["value"] for e in events if e.get("name") == "offered")
    trk = tracker(
        "n.jones",
        text="Mary Smith",
        slots={"patient_name": "mary", "pending": "find_patient:which", "offered": offered},
    )
    messages, _ = await run(ActionFindPatient(), trk)
    assert messages[0]["custom"]["kind"] == "find_patient_success"
    assert messages[0]["text"].startswith("MS (MRN ending 4821)")


async def test_conversation_emergency_keeps_the_task_in_hand_for_carry_on(services):
    # "hang on theres a man collapsed ..." mid-booking, then "ok carry on": it was "Sorry,
    # I didn't get that" (the emergency had dropped the booking)
    from actions.flow import ActionContinue

    slots = {"patient_name": "Kerry Demir", "department": "ent", "requested_slot": "mrn"}
    events: list[dict] = [
        *({"event": "slot", "name": k, "value": v} for k, v in slots.items()),
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "/emergency", "parse_data": {}},
    ]
    trk = tracker(
        "s.ali",
        intent="emergency",
        text="/emergency",
        slots=slots,
        events=events,
        active_loop="book_appointment_form",
    )
    messages, out = await run(ActionEmergency(), trk)
    assert messages[0]["custom"]["kind"] == "emergency_answer"
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in out if e["event"] == "active_loop"
    ]
    stash = [e["value"] for e in out if e.get("name") == "stash"][-1]
    assert stash["form"] == "book_appointment_form"
    assert stash["slots"]["patient_name"] == "Kerry Demir"
    after = tracker("s.ali", intent="affirm", text="ok carry on", slots={"stash": stash})
    _, back = await run(ActionContinue(), after)
    assert {"event": "followup", "name": "book_appointment_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in back if e["event"] == "followup"
    ]
