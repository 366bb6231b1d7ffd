"""The patient a message means by "she"/"him": the interrupted task's, never one kept
after a task ended; a question not understood mid-form is no answer to the form."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallback, reread
from actions.forms import form_validator
from actions.reading import is_interruption
from actions.referent import asks_what_they_have, patient_in_hand, refers_to_patient
from actions.services import set_services
from actions.state import Turn
from intents.catalog import default_catalog
from tests.actions.fakes import make_services, run, tracker

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.4},
    {"name": "list_ward_patients", "confidence": 0.31},
    {"name": "find_patient", "confidence": 0.29},
]
EMILY = {"patient_name": "Emily Lloyd", "mrn": "10176509"}
WANTED = ["patient_name", "mrn"]


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def _turn(text: str, intent: str = "nlu_fallback", entities=()) -> Turn:
    return Turn(intent, 0.4, text, tuple(entities), None, tuple(RANKING))


def _events(before: dict, text: str, extracted: dict | None = None) -> list[dict]:
    return [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {}},
        *({"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items()),
    ]


def test_referent_she_while_a_booking_was_interrupted_is_its_patient():
    stash = {"intent": "book_appointment", "form": "book_appointment_form", "slots": EMILY}
    trk = tracker("n.jones", text="where is she?", slots={"stash": stash})
    assert patient_in_hand(trk, _turn("where is she?"), WANTED) == EMILY


def test_referent_she_while_the_booking_is_still_in_hand_is_its_patient():
    trk = tracker("n.jones", text="which bed is she in?", events=_events(EMILY, "x"))
    assert patient_in_hand(trk, _turn("which bed is she in?"), WANTED) == EMILY


@pytest.mark.parametrize(
    ("text", "entities", "wanted"),
    [
        ("where is Kerry Demir?", [{"entity": "patient_name", "value": "Kerry Demir"}], WANTED),
        ("where is bed 4?", [], WANTED),  # speaks of no patient
        ("where is she?", [], ["ward", "bed"]),  # the request takes no patient
    ],
)
def test_referent_a_patient_named_or_none_spoken_of_takes_nothing(text, entities, wanted):
    trk = tracker("n.jones", text=text, events=_events(EMILY, text))
    assert patient_in_hand(trk, _turn(text, entities=entities), wanted) == {}


def test_referent_what_the_slot_mappings_took_from_the_question_is_no_patient():
    # "wait which bed is she in?" while the name is asked: the mapping copied the text
    text = "wait which bed is she in?"
    trk = tracker("n.jones", text=text, events=_events({}, text, {"patient_name": text}))
    assert patient_in_hand(trk, _turn(text), WANTED) == {}


@pytest.mark.parametrize(
    ("text", "requested", "entities", "leaves"),
    [
        ("wait which bed is she in?", "department", [], True),
        ("wait which bed is she in?", "patient_name", [], True),
        ("cardio?", "department", [{"entity": "department", "value": "cardiology"}], False),
        ("Emily Lloyd?", "patient_name", [], False),
        ("not sure", "department", [], False),  # not a question: the form reads it
    ],
)
def test_referent_a_question_not_understood_mid_form_leaves_the_form(
    text, requested, entities, leaves
):
    catalog = default_catalog()
    form = catalog.form("book_appointment_form")
    assert form is not None
    turn = _turn(text, entities=entities)
    assert is_interruption(turn, form, requested, catalog) is leaves


def test_referent_reread_takes_the_patient_task_of_the_two_likeliest_for_she():
    turn = _turn("wait which bed is she in?")
    assert reread(turn) is None  # (list_ward_patients at 0.31: not sure enough)
    assert reread(turn, patient=True) == "find_patient"


async def test_referent_fallback_serves_a_question_about_the_patient_in_hand():
    text = "wait which bed is she in?"
    trk = tracker(
        "n.jones",
        intent="nlu_fallback",
        text=text,
        events=_events(EMILY, text),
        slots={**EMILY, "requested_slot": "department"},
        active_loop="book_appointment_form",
    )
    trk.latest_message["intent_ranking"] = RANKING
    _, events = await run(ActionFallback(), trk)
    followups = [e.get("name") for e in events if e["event"] == "followup"]
    stash = [e["value"] for e in events if e.get("name") == "stash"]
    assert followups == ["find_patient_form"]
    assert stash and stash[-1]["slots"]["mrn"] == "10176509"


async def test_referent_form_back_after_a_question_undoes_what_the_mapping_took():
    # the department mapping took "wait which bed is she in?" as the clinic; the fallback
    # answered it, and the form coming back must not keep it as the answer
    text = "wait which bed is she in?"
    events = [
        *_events(EMILY, text, {"department": text}),
        {"event": "action", "name": "action_fallback"},
    ]
    trk = tracker(
        "n.jones",
        intent="nlu_fallback",
        text=text,
        events=events,
        slots={**EMILY, "department": text, "requested_slot": "department"},
        active_loop="book_appointment_form",
    )
    trk.latest_message["intent_ranking"] = RANKING
    out = await form_validator("book_appointment_form")().run(CollectingDispatcher(), trk, {})
    slots = {e["name"]: e["value"] for e in out if e["event"] == "slot"}
    assert slots["department"] is None and slots["requested_slot"] == "department"


@pytest.mark.parametrize(
    "last",
    [
        {"located": {"ward": "4B", "bed": "2"}, "patient": EMILY},  # "where is Emily Lloyd"
        {"intent": "book_appointment", "slots": {"department": "cardiology", **EMILY}},
    ],
)
def test_referent_she_right_after_a_patient_was_found_or_booked_is_that_patient(last):
    trk = tracker(
        "n.jones", text="book her into cardiology", events=_events({"last_task": last}, "x")
    )
    assert patient_in_hand(trk, _turn("book her into cardiology"), WANTED) == EMILY


CHANGED = {
    "last_task": {
        "intent": "update_bed_status",
        "slots": {"ward": "4B", "bed": "8", "bed_status": "H"},
    }
}
HOUSEKEEPING = [{"entity": "help_type", "value": "housekeeping", "start": 12, "end": 24}]


@pytest.mark.parametrize(
    ("text", "entities", "wanted"),
    [
        ("can you get housekeeping to do it", HOUSEKEEPING, {"ward": "4B", "bed": "8"}),
        ("send a porter there", [], {"ward": "4B", "bed": "8"}),
        ("housekeeping to ICU bed 3", [{"entity": "ward", "value": "ICU"}], None),
        ("my printer is jammed", [], None),
    ],
)
def test_referent_the_bed_just_changed_is_the_help_requests_place(text, entities, wanted):
    # "can you get housekeeping to do it" right after 4B bed 8 needed a clean asked
    # "Which ward?" (before: it changed the bed's status to what it already was)
    from actions.referent import bed_in_hand

    trk = tracker(
        "n.jones",
        intent="request_help",
        text=text,
        entities=entities,
        slots=CHANGED,
        events=_events(CHANGED, text),
    )
    assert bed_in_hand(trk, Turn.of(trk)) == wanted


def test_followup_help_type_in_the_message_is_no_restated_bed_status():
    from actions.followup import restated_status

    trk = tracker(
        "n.jones",
        intent="request_help",
        text="can you get housekeeping to do it",
        entities=HOUSEKEEPING,
    )
    assert restated_status(Turn.of(trk)) is None


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("my computer is slow", True),
        ("the printer's jammed again", True),
        ("status of my printer request", False),
        ("is my printer job done?", False),
        ("what are my requests", False),
    ],
)
def test_flow_a_fault_stated_is_no_request_status_question(text, fault):
    # "my computer is slow" (NLU: the status of my requests) got "You have no help requests."
    from actions.flow import reports_a_fault

    trk = tracker("n.jones", intent="check_request_status", text=text)
    assert reports_a_fault(Turn.of(trk)) is fault


def _said(text: str) -> list[dict]:
    return [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]


def test_referent_her_after_another_request_is_the_patient_answered_before_it():
    # "where is emily lloyd" - "free beds on 4b" - "book her into cardiology friday" asked
    # "Which patient?" (the bed question had replaced the patient found)
    found = {"located": {"ward": "4B", "bed": "2"}, "patient": EMILY}
    events = [
        *_said("where is emily lloyd"),
        {"event": "slot", "name": "last_task", "value": found},
        *_said("free beds on 4b"),
        {"event": "slot", "name": "last_task", "value": {"intent": "check_bed_availability"}},
        *_said("book her into cardiology friday"),
    ]
    trk = tracker("n.jones", text="book her into cardiology friday", events=events)
    assert patient_in_hand(trk, _turn("book her into cardiology friday"), WANTED) == EMILY


def test_referent_her_long_after_or_in_a_new_session_is_nobody():
    found = {"located": {"ward": "4B", "bed": "2"}, "patient": EMILY}
    other = {"event": "slot", "name": "last_task", "value": {"intent": "check_bed_availability"}}
    later = [*(e for n in range(4) for e in (*_said(f"free beds on ward {n}"), other))]
    for gap in (later, [{"event": "session_started"}, *_said("hi"), other]):
        events = [
            *_said("where is emily lloyd"),
            {"event": "slot", "name": "last_task", "value": found},
            *gap,
            *_said("book her into cardiology"),
        ]
        trk = tracker("n.jones", text="book her into cardiology", events=events)
        assert patient_in_hand(trk, _turn("book her into cardiology"), WANTED) == {}


async def test_referent_what_has_he_got_now_right_after_booking_lists_his_appointments():
    # "what has he got now" right after "Booked: CK (MRN ending 6505) ..." was "Sorry, I
    # didn't get that" (NLU: not understood) - his appointments were asked for
    text = "what has he got now"
    mary = {"patient_name": "Mary Smith", "mrn": "10004821"}
    last = {"intent": "book_appointment", "slots": {"department": "cardiology", **mary}}
    trk = tracker(
        "s.ali", intent="nlu_fallback", text=text, events=_events({"last_task": last}, text)
    )
    trk.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "ask_capabilities", "confidence": 0.3},
    ]
    messages, events = await run(ActionFallback(), trk)
    kinds = [(m.get("custom") or {}).get("kind") for m in messages]
    assert kinds == ["list_appointments_none"]
    assert "MS (MRN ending 4821)" in messages[0]["text"]


@pytest.mark.parametrize(
    "text", ["what about her other ones", "and his other appointments?", "what else has she got"]
)
def test_referent_asks_what_they_have_of_the_patient_in_hand(text):
    # "what about her other ones" right after cancelling one of hers was not understood
    assert asks_what_they_have(text)


async def test_referent_what_about_her_other_ones_after_a_cancel_lists_hers():
    # "what about her other ones" (NLU: inform) right after "Cancelled the appointment ...
    # for RW" was "Sorry, I didn't get that" - her appointments were asked for
    from actions.flow import ActionContinue

    text = "what about her other ones"
    mary = {"patient_name": "Mary Smith", "mrn": "10004821"}
    last = {"intent": "cancel_appointment", "patient": mary}
    trk = tracker("s.ali", intent="inform", text=text, events=_events({"last_task": last}, text))
    trk.latest_message["intent_ranking"] = [{"name": "inform", "confidence": 0.7}]
    messages, _ = await run(ActionContinue(), trk)
    kinds = [(m.get("custom") or {}).get("kind") for m in messages]
    assert kinds == ["list_appointments_none"]


def test_referent_his_is_a_patient_referred_to_as_her_is():
    # "what about his other ones" took no patient ("her other ones" did)
    assert refers_to_patient("what about his other ones")
    assert refers_to_patient("what about her other ones")
