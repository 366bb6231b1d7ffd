"""The catalog form validator: answers in any order, digressions, free text, corrections,
unknown values, misses, and the permission gate."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.formats import MrnFormat
from actions.forms import form_validator
from actions.reading import resolve_correction
from actions.services import set_services
from actions.state import Turn
from assistant.hms.models import Patient
from tests.actions.fakes import _bed, make_services, tracker
from tests.conversation.facts import misfits


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    # a ward of 30 beds each, so the beds the messages name exist (actions.bedcheck)
    have = {b.label for b in svc.hms.beds}
    svc.hms.beds += [
        _bed(ward, n, "U")
        for ward in ("4B", "7C")
        for n in range(1, 31)
        if f"{ward} Bed {n}" not in have
    ]
    set_services(svc)
    return svc


async def validate(
    form,
    *,
    filled=None,
    set_now=None,
    requested=None,
    intent="inform",
    text="x",
    entities=None,
    user="n.jones",
    safety=None,
    misses=None,
):
    """Run ``validate_<form>`` on one user message: ``filled`` were set before it,
    ``set_now`` were extracted from it; returns (slot events, replies, all events)."""
    filled, set_now = dict(filled or {}), dict(set_now or {})
    before = [{"event": "slot", "name": k, "value": v} for k, v in filled.items()]
    events = [
        *before,
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {}},
        *({"event": "slot", "name": k, "value": v} for k, v in set_now.items()),
    ]
    slots = {**filled, **set_now, "requested_slot": requested, "misses": misses}
    trk = tracker(
        user,
        intent=intent,
        text=text,
        slots=slots,
        entities=entities,
        active_loop=form,
        events=events,
        safety=safety,
    )
    dispatcher = CollectingDispatcher()
    out = await form_validator(form)().run(dispatcher, trk, {})
    assert misfits(dispatcher.messages) == []
    return {e["name"]: e["value"] for e in out if e["event"] == "slot"}, dispatcher.messages, out


def kinds(messages):
    return [(m.get("custom") or {}).get("kind") for m in messages]


@pytest.mark.parametrize(
    ("text", "mrn"),
    [
        ("10004821", "10004821"),
        ("mrn 1000 4821", "10004821"),
        ("one zero zero zero four eight two one", "10004821"),
        ("1004821", "1004821"),  # a 7-digit hospital number is an MRN by default (6-10)
        ("1234", None),
        (None, None),
    ],
)
def test_forms_mrn_format_is_a_setting(text, mrn):
    assert MrnFormat().find(text) == mrn


def test_forms_mrn_format_follows_the_hospital_pattern():
    strict = MrnFormat(r"\d{8}")
    assert strict.find("1004821") is None and strict.describe() == "8 digits"


async def test_forms_end_at_once_for_a_user_without_the_permission():
    slots, messages, _ = await validate(
        "book_appointment_form", set_now={"mrn": "10004821"}, requested="mrn", user="p.kim"
    )
    # the form ends before asking anything more; the guarded action then says the denial
    assert slots == {"requested_slot": None} and messages == []


async def test_forms_another_task_mid_form_rejects_the_form():
    _, _, out = await validate(
        "book_appointment_form",
        requested="mrn",
        intent="check_request_status",
        text="what's the status of my request",
    )
    assert out == [
        {
            "event": "action_execution_rejected",
            "name": "book_appointment_form",
            "policy": None,
            "confidence": None,
            "timestamp": None,
        }
    ]


async def test_forms_bare_answer_tagged_as_a_task_is_still_an_answer():
    slots, _, out = await validate(
        "update_bed_status_form",
        requested="ward",
        intent="check_bed_availability",
        text="4B please",
        set_now={"ward": "4B"},
        entities=[{"entity": "ward", "value": "4B", "start": 0, "end": 2}],
    )
    assert slots["ward"] == "4B" and slots["requested_slot"] == "bed"


async def test_forms_details_out_of_order_fill_every_slot():
    slots, _, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith"},
        requested="mrn",
        text="cardiology tomorrow, mrn 10004821",
        set_now={"mrn": "10004821", "department": "cardiology", "time": "tomorrow"},
    )
    assert (slots["mrn"], slots["department"], slots["time"]) == (
        "10004821",
        "cardiology",
        "tomorrow",
    )
    assert slots["requested_slot"] is None


async def test_forms_mrn_given_when_the_name_was_asked():
    slots, _, _ = await validate(
        "book_appointment_form",
        requested="patient_name",
        text="10004821",
        set_now={"patient_name": "10004821"},
    )
    assert slots["mrn"] == "10004821" and slots["requested_slot"] == "patient_name"


async def test_forms_name_read_as_small_talk_is_still_the_name(services):
    services.hms.patients.append(Patient("p-3", "10003333", "Grace", "Thompson"))
    slots, _, out = await validate(
        "find_patient_form", requested="patient_name", intent="thank", text="Grace Thompson"
    )
    assert slots["patient_name"] == "Grace Thompson" and slots["requested_slot"] is None


@pytest.mark.parametrize("safety", ["none", "caution"])
@pytest.mark.parametrize("intent", ["emergency", "request_help", "inform", "check_request_status"])
async def test_forms_free_text_takes_any_wording_when_the_gateway_cleared_it(intent, safety):
    text = "patient deteriorating, need to see notes urgently"
    slots, _, _ = await validate(
        "breakglass_form", requested="breakglass_reason", intent=intent, text=text, safety=safety
    )
    assert slots["breakglass_reason"] == text and slots["requested_slot"] is None


async def test_forms_free_text_emergency_without_the_safety_check_leaves_the_form():
    _, _, out = await validate(
        "request_help_form", requested="help_description", intent="emergency", text="fire!"
    )
    assert out[0]["event"] == "action_execution_rejected"


@pytest.mark.parametrize(("intent", "text"), [("stop", "never mind"), ("deny", "no")])
async def test_forms_free_text_stop_or_no_leaves_the_form(intent, text):
    _, _, out = await validate(
        "request_help_form", requested="help_description", intent=intent, text=text
    )
    assert out[0]["event"] == "action_execution_rejected"


async def test_forms_first_message_description_is_used_and_not_asked_again():
    text = "the printer on 4B is jammed, not urgent"
    slots, _, _ = await validate(
        "request_help_form",
        intent="request_help",
        text=text,
        set_now={"ward": "4B", "urgency": "urgent"},
        entities=[
            {"entity": "ward", "value": "4B", "start": 15, "end": 17},
            {"entity": "urgency", "value": "urgent", "start": 33, "end": 39},
        ],
    )
    assert slots["help_description"] == text
    assert (slots["help_type"], slots["urgency"], slots["ward"]) == ("it", "routine", "4B")
    assert slots["requested_slot"] is None


def test_forms_correction_keeps_the_value_meant():
    def turn(text, values):
        ents = [{"entity": "ward", "value": v, "start": text.index(v), "end": 0} for v in values]
        return Turn("inform", 1.0, text, tuple(ents), None)

    assert resolve_correction(turn("no, 7C not 4B", ["7C", "4B"]), "ward") == "7C"
    assert resolve_correction(turn("not 4B but 7C", ["4B", "7C"]), "ward") == "7C"
    assert resolve_correction(turn("change 4B to 7C", ["4B", "7C"]), "ward") == "7C"
    # a later value after "sorry, I mean" / "no wait" / "or rather" is the one meant
    assert resolve_correction(turn("4B clean, sorry I mean 7C", ["4B", "7C"]), "ward") == "7C"
    assert resolve_correction(turn("on 4B - no wait, 7C", ["4B", "7C"]), "ward") == "7C"
    assert resolve_correction(turn("4B or rather 7C", ["4B", "7C"]), "ward") == "7C"
    assert resolve_correction(turn("4B and 7C", ["4B", "7C"]), "ward") == "4B"
    # "not on maternity, what about HDU": the ruled-out one had a preposition after "not"
    # (free beds on Maternity were listed - found trying the demo as a bed manager)
    assert resolve_correction(turn("not on MAT, what about HDU", ["MAT", "HDU"]), "ward") == "HDU"
    assert resolve_correction(turn("not in the ICU but HDU", ["ICU", "HDU"]), "ward") == "HDU"


async def test_forms_bed_corrected_in_the_same_message_is_the_later_one():
    text = "mark bed 12 on 4B as clean, sorry I mean bed 13"
    slots, _, _ = await validate(
        "update_bed_status_form",
        intent="update_bed_status",
        text=text,
        set_now={"ward": "4B", "bed": "12", "bed_status": "U"},
        entities=[
            {"entity": "bed", "value": "12", "start": 9, "end": 11},
            {"entity": "ward", "value": "4B", "start": 15, "end": 17},
            {"entity": "bed_status", "value": "U", "start": 21, "end": 26},
            {"entity": "bed", "value": "13", "start": 45, "end": 47},
        ],
    )
    assert str(slots["bed"]).endswith("13")


async def test_forms_correction_changes_the_slot_and_confirms_it():
    text = "no, 7C not 4B"
    slots, messages, _ = await validate(
        "update_bed_status_form",
        filled={"ward": "4B"},
        requested="bed",
        text=text,
        set_now={"ward": "4B"},
        user="k.osei",  # (a 4B nurse may not change 7C's beds: refused at once)
        entities=[
            {"entity": "ward", "value": "7C", "start": 4, "end": 6},
            {"entity": "ward", "value": "4B", "start": 11, "end": 13},
        ],
    )
    assert slots["ward"] == "7C" and "slot_corrected" in kinds(messages)
    assert slots["requested_slot"] == "bed"


async def test_forms_wrong_patient_takes_the_patient_back():
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821"},
        requested="department",
        intent="deny",
        text="wrong patient",
    )
    assert slots["patient_name"] is None and slots["mrn"] is None
    assert slots["requested_slot"] == "patient_name" and "slot_corrected" in kinds(messages)


async def test_forms_unknown_ward_names_the_nearest_as_buttons():
    slots, messages, _ = await validate(
        "update_bed_status_form", requested="ward", text="4C", set_now={"ward": "4C"}
    )
    assert slots["ward"] is None
    [reply] = [m for m in messages if m["custom"]["kind"] == "unknown_ward"]
    assert (
        reply["custom"]["data"]["value"] == "4C" and "4B" in reply["custom"]["data"]["suggestions"]
    )
    assert any('"ward":"4B"' in b["payload"] for b in reply["buttons"])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("book Jane Doe 10004821 into podiatry", "podiatry"),
        ("the podiatry clinic please", "podiatry"),
    ],
)
async def test_forms_unknown_clinic_nlu_did_not_tag_is_answered_not_dropped(text, value):
    slots, messages, _ = await validate("book_appointment_form", user="s.ali", text=text)
    [reply] = [m for m in messages if m["custom"]["kind"] == "unknown_clinic"]
    assert reply["custom"]["data"]["value"] == value and not slots.get("department")


def test_forms_no_clinic_near_names_every_clinic():
    # it said "Clinics here are ..." and left two of the ten out
    from actions.directory import resolve_clinic
    from assistant.hms.models import Service

    names = "cardiology oncology ent diabetes neurology dermatology respiratory physio eye bone"
    clinics = [Service(f"svc-{n}", n, f"{n.title()} Clinic") for n in names.split()]
    found = resolve_clinic(clinics, "qqqq zzzz")
    assert found.value is None and {code for _, code in found.suggestions} == set(names.split())


async def test_forms_clinic_answer_is_read_without_the_words_around_it():
    slots, messages, _ = await validate(
        "book_appointment_form",
        user="s.ali",
        filled={"patient_name": "Jane Doe", "mrn": "10004821"},
        requested="department",
        text="ok cardiology then",
        set_now={"department": "ok cardiology then"},
    )
    assert slots["department"] == "cardiology" and "unknown_clinic" not in kinds(messages)


async def test_forms_clinic_named_by_its_clinician_is_the_clinicians_clinic():
    slots, _, _ = await validate(
        "list_clinic_appointments_form",
        user="dr.patel",
        requested="department",
        text="patel",
        set_now={"department": "patel"},
    )
    assert slots["clinician"] == "dr.patel" and not slots.get("department")


async def test_forms_third_miss_ends_the_form():
    slots, _, _ = await validate(
        "update_bed_status_form",
        filled={"ward": "4B"},
        requested="bed",
        text="the window",
        set_now={"bed": "the window"},
        misses="bed:1",
    )
    assert slots["misses"] == "bed:2" and slots["requested_slot"] == "bed"
    slots, _, _ = await validate(
        "update_bed_status_form",
        filled={"ward": "4B"},
        requested="bed",
        text="hmm",
        set_now={"bed": "hmm"},
        misses="bed:2",
    )
    assert slots["misses"] == "bed:3" and slots["requested_slot"] is None


async def test_forms_bed_number_words_and_ward_and_bed_together():
    slots, _, _ = await validate(
        "update_bed_status_form", requested="bed", text="bed twelve", set_now={"bed": "bed twelve"}
    )
    assert slots["bed"] == "12"
    slots, _, _ = await validate(
        "update_bed_status_form", requested="ward", text="4B-06", set_now={"ward": "4B-06"}
    )
    assert slots["ward"] == "4B" and slots["bed"] == "6"


async def test_forms_clinician_makes_department_optional():
    slots, _, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821", "clinician": "dr.patel"},
        requested="time",
        text="tomorrow",
        set_now={"time": "tomorrow"},
    )
    assert slots.get("requested_slot") is None


async def test_forms_unparseable_time_is_asked_again():
    slots, messages, _ = await validate(
        "book_appointment_form",
        requested="time",
        text="whenever-ish",
        set_now={"time": "whenever-ish"},
    )
    assert slots["time"] is None and "invalid_time" in kinds(messages)


async def test_forms_coming_back_after_small_talk_reads_nothing_and_asks_again():
    events: list[dict] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "hello", "parse_data": {}},
        {"event": "action", "name": "utter_greet_answer"},
    ]
    trk = tracker(
        "n.jones",
        intent="greet",
        text="hello",
        slots={"ward": "4B", "requested_slot": "bed"},
        active_loop="update_bed_status_form",
        events=events,
    )
    dispatcher = CollectingDispatcher()
    out = await form_validator("update_bed_status_form")().run(dispatcher, trk, {})
    assert out == [{"event": "slot", "timestamp": None, "name": "requested_slot", "value": "bed"}]
    assert dispatcher.messages == []


async def test_forms_time_read_as_a_greeting_still_answers_the_time_question():
    slots, _, out = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"},
        requested="time",
        intent="greet",
        text="tomorrow morning",
    )
    assert slots["time"] == "tomorrow morning" and slots["requested_slot"] is None


def test_forms_short_message_close_to_stop_leaves_the_form():
    from actions.reading import stoppish

    ranking = ({"name": "deny", "confidence": 0.39}, {"name": "stop", "confidence": 0.32})
    assert stoppish(Turn("nlu_fallback", 0.4, "no, cancel", (), None, ranking))
    assert not stoppish(Turn("nlu_fallback", 0.4, "ward 3 I think maybe", (), None, ranking[:1]))
    # nonsense may rank stop high, but says no stop
    nonsense = ({"name": "stop", "confidence": 0.56},)
    assert not stoppish(Turn("nlu_fallback", 0.4, "blorp", (), None, nonsense))


def test_forms_putting_the_task_off_in_two_phrases_is_a_stop():
    from actions.reading import puts_off

    # NLU read "forget it, I'll do it later" as a help request (the form then asked again)
    for text in (
        "forget it, I'll do it later",
        "leave it, I'll sort it out myself",
        "later",
        "nah scrap that",
    ):
        assert puts_off(Turn("request_help", 0.59, text, (), None)), text
    assert not puts_off(Turn("check_bed_availability", 0.9, "forget it, is bed 7 free", (), None))


async def test_forms_clinic_said_when_the_name_was_asked_is_the_clinic_not_the_name():
    slots, _, _ = await validate(
        "book_appointment_form",
        requested="patient_name",
        text="cardiology",
        set_now={"patient_name": "cardiology", "department": "cardiology"},
        entities=[{"entity": "department", "value": "cardiology", "start": 0, "end": 10}],
    )
    assert slots["patient_name"] is None and slots["department"] == "cardiology"
    assert slots["requested_slot"] == "patient_name"


async def test_forms_thing_named_in_a_message_nlu_was_unsure_of_is_taken():
    # "change that to cardiology" mid-booking, NLU below the threshold: the clinic named
    # is the correction, not an answer to the time question
    text = "change that to cardiology"
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821", "department": "dermatology"},
        requested="time",
        intent="nlu_fallback",
        text=text,
        set_now={"time": text},
        entities=[{"entity": "department", "value": "cardiology", "start": 15, "end": 25}],
    )
    assert slots["department"] == "cardiology" and slots["time"] is None
    assert "slot_corrected" in kinds(messages) and "invalid_time" not in kinds(messages)
    assert slots["requested_slot"] == "time"


@pytest.mark.parametrize(
    ("intent", "text", "start"),
    [
        ("thank", "change that to cardiology", 15),  # a correction NLU read as thanks
        ("reschedule_appointment", "change the clinic to cardiology", 21),  # as a new task
        ("inform", "i meant cardiology", 7),
    ],
)
async def test_forms_correction_read_as_something_else_still_corrects_the_slot(intent, text, start):
    slots, messages, out = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821", "department": "dermatology"},
        requested="time",
        intent=intent,
        text=text,
        entities=[
            {"entity": "department", "value": "cardiology", "start": start, "end": start + 10}
        ],
    )
    assert not any(e["event"] == "action_execution_rejected" for e in out)
    assert slots["department"] == "cardiology" and slots.get("time") is None
    assert "slot_corrected" in kinds(messages) and "invalid_time" not in kinds(messages)
    assert slots["requested_slot"] == "time"


async def test_forms_task_naming_a_form_slot_without_a_correction_cue_is_a_digression():
    # "any free beds on 4B?" while the bed-status form asks for the status: a new question
    _, _, out = await validate(
        "update_bed_status_form",
        filled={"ward": "4A", "bed": "6"},
        requested="bed_status",
        intent="check_bed_availability",
        text="actually, any free beds on 4B?",
        entities=[{"entity": "ward", "value": "4B", "start": 27, "end": 29}],
    )
    assert [e["event"] for e in out] == ["action_execution_rejected"]


async def test_forms_my_ward_fills_the_ward_with_the_users_own():
    slots, _, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter"},
        requested="ward",
        text="to my ward please",
    )
    assert slots["ward"] == "mine"


async def test_forms_bare_value_for_another_slot_of_the_form_read_as_a_task_is_a_correction():
    # "actually it's bed 14" while the help form asks the urgency, read as a bed update
    slots, messages, out = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "12"},
        requested="urgency",
        intent="update_bed_status",
        text="actually it's bed 14",
        entities=[{"entity": "bed", "value": "14", "start": 18, "end": 20}],
    )
    assert not any(e["event"] == "action_execution_rejected" for e in out)
    assert slots["bed"] == "14" and slots.get("ward", "4B") == "4B"
    assert "slot_corrected" in kinds(messages) and slots["requested_slot"] == "urgency"


@pytest.mark.parametrize(
    ("text", "set_now", "entities", "slot", "value"),
    [
        # the slot mapping already took "urgent" from this very message
        ("actually make it urgent", {"urgency": "urgent"}, None, "urgency", "urgent"),
        (
            "sorry, it's bed 14",
            {},
            [{"entity": "bed", "value": "14", "start": 15, "end": 17}],
            "bed",
            "14",
        ),
        (
            "no, 7C not 4B",
            {},
            [
                {"entity": "ward", "value": "7C", "start": 4, "end": 6},
                {"entity": "ward", "value": "4B", "start": 11, "end": 13},
            ],
            "ward",
            "7C",
        ),
    ],
)
async def test_forms_correction_while_the_description_is_asked_is_not_the_description(
    text, set_now, entities, slot, value
):
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "12", "urgency": "routine"},
        set_now=set_now,
        requested="help_description",
        text=text,
        entities=entities,
    )
    assert slots[slot] == value and not slots.get("help_description")
    assert "slot_corrected" in kinds(messages) and slots["requested_slot"] == "help_description"


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("no hot water on 4B", [{"entity": "ward", "value": "4B", "start": 16, "end": 18}]),
        (
            "sorry, the bin by bed 12 is overflowing",
            [
                {"entity": "bed", "value": "12", "start": 22, "end": 24},
            ],
        ),
        ("actually it's the sink by the window that's blocked and leaking water", None),
    ],
)
async def test_forms_description_naming_what_the_form_holds_is_the_description(text, entities):
    slots, _, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "12", "urgency": "routine"},
        requested="help_description",
        text=text,
        entities=entities,
    )
    assert slots["help_description"] == text


async def test_forms_correction_to_an_unknown_value_says_so_and_asks_again():
    # "no, 4A not 4B" in a hospital without ward 4A: not silently 4B
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "4"},
        requested="urgency",
        intent="deny",
        text="no, 4A not 4B",
        entities=[
            {"entity": "ward", "value": "4A", "start": 4, "end": 6},
            {"entity": "ward", "value": "4B", "start": 11, "end": 13},
        ],
    )
    assert slots["ward"] is None and "unknown_ward" in kinds(messages)


@pytest.mark.parametrize(
    ("form", "slot", "intent", "text", "leaves"),
    [
        ("breakglass_form", "breakglass_reason", "check_bed_availability", "any beds on 5C", True),
        (
            "request_help_form",
            "help_description",
            "find_patient",
            "where is bed 6's patient?",
            True,
        ),
        # instructions for another task ("show me", "check", "find")
        (
            "request_help_form",
            "help_description",
            "check_bed_availability",
            "show me free beds on 7",
            True,
        ),
        (
            "request_help_form",
            "help_description",
            "check_request_status",
            "check my help requests",
            True,
        ),
        # statements stay the answer, whatever NLU is sure of
        (
            "request_help_form",
            "help_description",
            "update_bed_status",
            "bed 6 needs cleaning",
            False,
        ),
        (
            "request_help_form",
            "help_description",
            "request_help",
            "check the oxygen is connected",
            False,
        ),
        (
            "breakglass_form",
            "breakglass_reason",
            "check_bed_availability",
            "no beds, deteriorating",
            False,
        ),
    ],
)
async def test_forms_free_text_question_for_another_task_leaves_the_form(
    form, slot, intent, text, leaves
):
    slots, _, out = await validate(form, requested=slot, intent=intent, text=text, safety="none")
    rejected = out[0]["event"] == "action_execution_rejected"
    assert rejected is leaves
    if not leaves:
        assert slots[slot] == text


async def test_forms_detail_given_before_it_was_asked_is_kept_and_said_back():
    # "cardiology" while the name is asked: the clinic is filled and noted, the name
    # question comes again without "didn't get that"
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"mrn": "10004821"},
        requested="patient_name",
        text="cardiology",
        set_now={"department": "cardiology"},
        entities=[{"entity": "department", "value": "cardiology", "start": 0, "end": 10}],
    )
    assert slots["department"] == "cardiology" and slots["requested_slot"] == "patient_name"
    assert kinds(messages) == ["slot_noted"] and "cardiology" in messages[0]["text"]
    assert messages[0]["custom"]["data"] == {"slots": ["department"]}


@pytest.mark.parametrize(("intent", "entities"), [("greet", None), ("inform", None)])
async def test_forms_time_said_while_the_name_is_asked_is_the_time(intent, entities):
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"mrn": "10004821", "department": "cardiology"},
        requested="patient_name",
        intent=intent,
        text="tomorrow morning",
        entities=entities,
    )
    assert slots["time"] == "tomorrow morning" and slots["requested_slot"] == "patient_name"
    assert "patient_name" not in slots and kinds(messages) == ["slot_noted"]


async def test_forms_entity_of_a_detail_not_asked_is_taken_whatever_nlu_read():
    # small talk by NLU's reading whose time entity the slot mappings did not take
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"mrn": "10004821", "department": "cardiology"},
        requested="patient_name",
        intent="greet",
        text="tomorrow at 10",
        entities=[{"entity": "time", "value": "tomorrow at 10", "start": 0, "end": 14}],
    )
    assert slots["time"] == "tomorrow at 10" and kinds(messages) == ["slot_noted"]


async def test_forms_a_name_that_contains_a_time_word_is_the_name(services):
    services.hms.patients.append(Patient("p-3", "10003333", "Jane", "Morning"))
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"mrn": "10003333"},
        requested="patient_name",
        text="Jane Morning",
        set_now={"patient_name": "Jane Morning"},
    )
    assert slots["patient_name"] == "Jane Morning" and "time" not in slots
    assert messages == []


async def test_forms_time_while_another_question_is_asked_is_not_small_talk():
    _, messages, out = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821"},
        requested="department",
        intent="greet",
        text="next tuesday afternoon",
    )
    slots = {e["name"]: e["value"] for e in out if e["event"] == "slot"}
    assert slots["time"] == "next tuesday afternoon" and slots["requested_slot"] == "department"
    assert kinds(messages) == ["slot_noted"]


@pytest.mark.parametrize(
    ("filled", "question"),
    [
        ({}, "What is the patient's full name (or their MRN)?"),
        ({"mrn": "10004821"}, "And the patient's full name?"),
    ],
)
async def test_asks_name_question_asks_only_what_is_missing(filled, question):
    from actions.asks import ask_action
    from tests.actions.fakes import run

    trk = tracker(slots={**filled, "requested_slot": "patient_name"}, active_loop="b_form")
    messages, _ = await run(ask_action("patient_name")(), trk)
    assert [m["text"] for m in messages] == [question]
    assert kinds(messages) == ["ask_patient_name"]


async def test_forms_nothing_is_said_back_when_the_form_is_complete():
    # the MRN when the name was asked finds the patient: the answer follows, no "Noted"
    slots, messages, _ = await validate(
        "find_patient_form", requested="patient_name", text="10004821"
    )
    assert slots["mrn"] == "10004821" and slots["requested_slot"] is None
    assert messages == []


async def test_forms_unknown_ward_is_named_back_without_the_word_ward():
    slots, messages, _ = await validate(
        "request_help_form", requested="ward", text="ward three", set_now={"ward": "ward three"}
    )
    [reply] = [m for m in messages if m["custom"]["kind"] == "unknown_ward"]
    assert slots["ward"] is None and reply["custom"]["data"]["value"] == "3"


async def test_forms_a_doctor_named_is_never_the_patients_name():
    filled = {"patient_name": "Jane Doe", "mrn": "10004821"}
    entity = {"entity": "patient_name", "value": "Dr Nobody", "start": 0, "end": 9}
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled=filled,
        requested="department",
        intent="nlu_fallback",
        text="Dr Nobody",
        entities=[entity],
        set_now={"patient_name": "Dr Nobody"},
    )
    assert "unknown_clinician" in kinds(messages) and "slot_corrected" not in kinds(messages)
    assert slots.get("patient_name", "Jane Doe") == "Jane Doe"


async def test_forms_nonsense_answered_as_out_of_scope_counts_as_a_miss():
    events: list[dict] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "asdfgh", "parse_data": {}},
        {"event": "action", "name": "utter_out_of_scope_answer"},
    ]
    for misses, expected, asked in ((None, "bed:1", "bed"), ("bed:2", "bed:3", None)):
        trk = tracker(
            "n.jones",
            intent="out_of_scope",
            text="asdfgh",
            slots={"ward": "4B", "requested_slot": "bed", "misses": misses},
            active_loop="update_bed_status_form",
            events=events,
        )
        out = await form_validator("update_bed_status_form")().run(CollectingDispatcher(), trk, {})
        slots = {e["name"]: e["value"] for e in out if e["event"] == "slot"}
        assert slots["misses"] == expected and slots["requested_slot"] == asked


async def test_forms_unknown_value_in_the_request_itself_is_the_questions_first_miss():
    slots, messages, _ = await validate(
        "update_bed_status_form", text="bed 4 on ward 9 is clean", set_now={"ward": "9"}
    )
    assert "unknown_ward" in kinds(messages)
    assert slots["misses"] == "ward:1" and slots["requested_slot"] == "ward"


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Dr Nobody's list for today", "unknown_clinician", "Dr Nobody"),
        ("gastro list for today", "unknown_clinic", "gastro"),
    ],
)
async def test_forms_clinic_list_of_an_unknown_clinic_or_clinician_says_so(text, kind, value):
    slots, messages, _ = await validate(
        "list_clinic_appointments_form", text=text, intent="list_clinic_appointments", user="s.ali"
    )
    [reply] = [m for m in messages if m["custom"]["kind"] == kind]
    assert reply["custom"]["data"]["value"] == value
    assert slots["misses"] == "department:1" and slots["requested_slot"] == "department"


async def test_forms_a_bed_the_ward_does_not_have_is_said_at_once_and_asked_again():
    slots, messages, _ = await validate(
        "update_bed_status_form",
        filled={"ward": "4B"},
        requested="bed",
        text="bed 99",
        set_now={"bed": "99"},
    )
    assert kinds(messages)[0] == "unknown_bed"
    assert slots["bed"] is None and slots["requested_slot"] == "bed" and slots["misses"] == "bed:1"


async def test_forms_a_bed_the_ward_does_not_have_is_dropped_from_a_help_request():
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter"},
        requested="ward",
        text="4B bed 99",
        set_now={"ward": "4B"},
    )
    assert "unknown_bed" in kinds(messages)
    assert slots["ward"] == "4B" and slots["bed"] is None and slots["requested_slot"] == "urgency"


@pytest.mark.parametrize("text", ["is it the one on 4B", "the one with the cough"])
async def test_forms_a_hesitation_is_not_the_patients_name(text):
    slots, messages, _ = await validate(
        "book_appointment_form", requested="patient_name", intent="nlu_fallback", text=text
    )
    assert not slots.get("patient_name") and slots["requested_slot"] == "patient_name"
    assert "invalid_patient_name" in kinds(messages) and slots["misses"] == "patient_name:1"


@pytest.mark.parametrize("text", ["hmm let me check", "wait a minute", "hang on", "one sec"])
async def test_forms_a_wait_keeps_the_question_open_without_a_miss(text):
    # "wait a minute" while the name is asked was a miss ("Sorry, I didn't get that")
    slots, messages, _ = await validate(
        "book_appointment_form",
        requested="patient_name",
        intent="nlu_fallback",
        text=text,
        set_now={"patient_name": text},
    )
    assert slots["patient_name"] is None and slots["requested_slot"] == "patient_name"
    assert kinds(messages) == ["wait_ok"] and "misses" not in slots


async def test_forms_a_doctor_named_in_a_move_is_not_the_patient():
    text = "move Mary Smith 10004821's appointment with Dr Nobody to friday"
    entities = [
        {"entity": "patient_name", "value": "Mary Smith", "start": 5, "end": 15},
        {"entity": "mrn", "value": "10004821", "start": 16, "end": 24},
        {"entity": "patient_name", "value": "Dr Nobody", "start": 44, "end": 53},
    ]
    slots, messages, _ = await validate(
        "reschedule_appointment_form",
        intent="reschedule_appointment",
        text=text,
        entities=entities,
        set_now={"patient_name": "Dr Nobody", "mrn": "10004821"},
        user="s.ali",
    )
    assert slots["patient_name"] == "Mary Smith" and "unknown_patient" not in kinds(messages)


@pytest.mark.parametrize(("user", "ward"), [("n.jones", "4B"), ("c.sam", None)])
async def test_forms_bed_change_without_a_ward_is_on_the_users_only_ward(user, ward):
    # "mark bed 2 clean": a 4B nurse means 4B bed 2; housekeeping (no ward) is asked
    slots, _, _ = await validate(
        "update_bed_status_form",
        set_now={"bed": "2", "bed_status": "clean"},
        intent="update_bed_status",
        text="mark bed 2 clean",
        entities=[
            {"entity": "bed", "value": "2", "start": 5, "end": 10},
            {"entity": "bed_status", "value": "clean", "start": 11, "end": 16},
        ],
        user=user,
    )
    assert slots.get("ward") == ward and slots["bed"] == "2"
    assert slots["requested_slot"] == (None if ward else "ward")


async def test_forms_bare_bed_change_asks_the_ward_even_of_a_one_ward_nurse():
    # "update bed status" names no bed: a 4B nurse may be standing on ward 7, so the ward
    # is asked, never guessed (a guess would change 4B's bed 1 when she meant 7's)
    slots, _, _ = await validate(
        "update_bed_status_form",
        intent="update_bed_status",
        text="update bed status",
        user="n.jones",
    )
    assert slots.get("ward") is None and slots["requested_slot"] == "ward"


async def test_forms_bed_change_naming_a_ward_keeps_it_over_the_users_own():
    slots, _, _ = await validate(
        "update_bed_status_form",
        set_now={"bed": "7C-02", "bed_status": "clean"},
        intent="update_bed_status",
        text="mark 7C-02 clean",
        entities=[{"entity": "bed", "value": "7C-02", "start": 5, "end": 10}],
    )
    assert slots["ward"] == "7C"


async def test_forms_wrong_patient_naming_the_one_meant_takes_it_without_asking():
    # "wrong patient, I meant 10004821" as the find is (re)opened: the MRN is the patient
    slots, messages, _ = await validate(
        "find_patient_form",
        set_now={"mrn": "10004821"},
        intent="inform",
        text="wrong patient, I meant 10004821",
        entities=[{"entity": "mrn", "value": "10004821", "start": 23, "end": 31}],
    )
    assert slots["mrn"] == "10004821" and slots["requested_slot"] is None
    assert "slot_corrected" not in kinds(messages)


async def test_forms_short_no_naming_another_value_for_a_held_detail_corrects_it():
    # "no, 7C" while the bed form asks the status (the ward given was 4B), read as "deny"
    slots, messages, out = await validate(
        "update_bed_status_form",
        filled={"ward": "4B", "bed": "2"},
        requested="bed_status",
        intent="deny",
        text="no, 7C",
        user="k.osei",  # (a 4B nurse may not change 7C's beds: refused at once)
        entities=[{"entity": "ward", "value": "7C", "start": 4, "end": 6}],
    )
    assert not any(e["event"] == "action_execution_rejected" for e in out)
    assert slots["ward"] == "7C" and "slot_corrected" in kinds(messages)
    assert slots["requested_slot"] == "bed_status"


@pytest.mark.parametrize(
    ("text", "bed", "ward"), [("porter for bed 6", "6", "4B"), ("porter", None, None)]
)
async def test_forms_help_request_naming_a_bed_is_on_the_users_only_ward(text, bed, ward):
    entities = [{"entity": "help_type", "value": "porter", "start": 0, "end": 6}]
    if bed:
        entities.append({"entity": "bed", "value": bed, "start": 11, "end": 16})
    slots, _, _ = await validate(
        "request_help_form",
        set_now={"help_type": "porter", **({"bed": bed} if bed else {})},
        intent="request_help",
        text=text,
        entities=entities,
    )
    assert slots.get("ward") == ward


async def test_forms_wrong_clinic_is_no_clinic_named_wrong():
    # "wrong clinic" after the form was re-opened without the clinic: asked, not "wrong"
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821", "time": "tomorrow"},
        intent="deny",
        text="wrong clinic",
    )
    assert "unknown_clinic" not in kinds(messages)
    assert slots.get("department") is None and slots["requested_slot"] == "department"


async def test_forms_a_correction_while_the_description_is_asked_is_not_also_the_description():
    # "sorry, no rush after all" while a porter request asks what is needed: the urgency
    # changes and the description is still asked (it had become the description too)
    text = "sorry, no rush after all"
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "5", "urgency": "urgent"},
        requested="help_description",
        intent="inform",
        text=text,
        set_now={"help_description": text},
    )
    assert slots["urgency"] == "routine" and "slot_corrected" in kinds(messages)
    assert slots.get("help_description") in (None, "")
    assert slots["requested_slot"] == "help_description"


def test_forms_a_purpose_said_with_a_porter_request_is_its_description():
    from actions.slotvalues import describes

    text = "urgent porter to 4B bed 5 for x-ray"
    spans = [(0, 6), (7, 13), (17, 19), (24, 25)]
    assert describes(text, spans)
    assert not describes("porter for bed 5", [(0, 6), (15, 16)])
    assert not describes("porter for me", [(0, 6)])


@pytest.mark.parametrize(
    ("text", "ward", "bed"),
    [
        ("get a porter to take them to x-ray", "4B", "2"),
        ("porter for the patient please, to CT", "4B", "2"),
        ("and a porter please", "4B", "2"),  # a bare porter request right after: them
        # another job (nobody referred to, more than a bare request): the place is asked
        ("get a porter to take the spare wheelchair back to the store", None, None),
    ],
)
async def test_forms_a_help_request_for_the_patient_just_found_is_at_their_bed(text, ward, bed):
    # "where is mrn ... and get a porter to take them to x-ray": the porter goes to the
    # patient's bed (it had asked "Which ward?")
    slots, _, _ = await validate(
        "request_help_form",
        filled={"last_task": {"located": {"ward": "4B", "bed": "2"}}},
        set_now={"help_type": "porter"},
        intent="request_help",
        text=text,
        entities=[{"entity": "help_type", "value": "porter", "start": text.find("porter")}],
    )
    assert slots.get("ward") == ward and slots.get("bed") == bed


@pytest.mark.parametrize(
    ("text", "ward", "bed"),
    [
        ("ok get a porter to take her to bed 4", "4B", "2"),
        ("i need a porter to take her to ward 7 bed 6", "4B", "2"),
        ("porter to move him from bed 9", None, "9"),  # a place of its own: not hers
    ],
)
async def test_forms_where_the_patient_just_found_is_taken_is_not_where_the_job_starts(
    text, ward, bed
):
    # "get a porter to take her to bed 4" right after finding her in 4B bed 2: the porter
    # request was filed for 4B bed 4 (an empty bed), the patient's bed lost
    import re as _re

    entities = [{"entity": "help_type", "value": "porter", "start": text.find("porter")}]
    for m in _re.finditer(r"\b(?:ward (\w+)|bed (\d+))", text):
        kind = "ward" if m.group(1) else "bed"
        entities.append(
            {
                "entity": kind,
                "value": m.group(1) or m.group(2),
                "start": m.start(1 if m.group(1) else 2),
            }
        )
    slots, _, _ = await validate(
        "request_help_form",
        filled={"last_task": {"located": {"ward": "4B", "bed": "2"}}},
        set_now={"help_type": "porter"},
        intent="request_help",
        text=text,
        entities=entities,
        user="b.okoro",
    )
    assert slots.get("ward") == ward and slots.get("bed") == bed


def test_forms_a_correction_opening_with_oh_is_no_description():
    # "oh sorry bed 9 not 8" while the description was asked filed the request for bed 8
    from actions.reading import corrects_in_free_text
    from intents.catalog import default_catalog

    catalog = default_catalog()
    form = catalog.form("request_help_form")
    assert form is not None
    ents = (
        {"entity": "bed", "value": "9", "start": 13, "end": 14},
        {"entity": "bed", "value": "8", "start": 19, "end": 20},
    )
    turn = Turn("inform", 0.8, "oh sorry bed 9 not 8", ents, None)
    held = {"help_type": "porter", "ward": "4B", "bed": "8", "urgency": "urgent"}
    assert corrects_in_free_text(turn, form, catalog, held)
    plain = Turn("inform", 0.8, "oh the trolley is broken", (), None)
    assert not corrects_in_free_text(plain, form, catalog, held)


async def test_forms_booking_right_after_a_clinic_was_shown_takes_that_clinic_and_day():
    # "book one for Mary Smith 10004821" after "any free slots in cardiology tomorrow":
    # "Which clinic or department?" was asked although the clinic had just been shown
    last = {"intent": "check_free_slots", "slots": {"department": "cardiology", "time": "tomorrow"}}
    slots, _, _ = await validate(
        "book_appointment_form",
        intent="book_appointment",
        text="book one for Mary Smith 10004821",
        filled={"last_task": last},
        set_now={"patient_name": "Mary Smith", "mrn": "10004821"},
        user="s.ali",
    )
    assert slots["department"] == "cardiology" and slots["time"] == "tomorrow"
    # after a clinic's list for a day, a time alone is that day's
    last = {
        "intent": "list_clinic_appointments",
        "slots": {"department": "cardiology", "time": "tomorrow"},
    }
    slots, _, _ = await validate(
        "book_appointment_form",
        intent="book_appointment",
        text="book Mary Smith 10004821 into 9am",
        filled={"last_task": last},
        set_now={"patient_name": "Mary Smith", "mrn": "10004821", "time": "9am"},
        user="s.ali",
    )
    assert slots["department"] == "cardiology" and slots["time"] == "tomorrow 9am"


@pytest.mark.parametrize(
    ("said", "taken"),
    [
        ("book the 2nd for Mary Smith 10004821", "2026-12-07 09:40"),
        ("book the second one for Mary Smith 10004821", "2026-12-07 09:40"),
        ("put Mary Smith 10004821 in the last one", "2026-12-07 10:20"),
        ("the 09:20 for Mary Smith 10004821", "2026-12-07 09:20"),
    ],
)
async def test_forms_booking_picks_a_free_slot_just_shown_by_its_place(said, taken):
    # "book the 2nd for ..." after three free slots were shown: the 2nd of the month (past,
    # so "no free slots in the next two weeks"); "the second one" offered the list again
    shown = ["2026-12-07T09:20:00+00:00", "2026-12-07T09:40:00+00:00", "2026-12-07T10:20:00+00:00"]
    last = {
        "intent": "check_free_slots",
        "slots": {"department": "cardiology", "time": "next monday"},
        "shown_slots": shown,
    }
    slots, _, _ = await validate(
        "book_appointment_form",
        intent="book_appointment",
        text=said,
        filled={"last_task": last},
        set_now={"patient_name": "Mary Smith", "mrn": "10004821", "time": "the 2nd"},
        user="s.ali",
    )
    assert slots["department"] == "cardiology" and slots["time"] == taken


@pytest.mark.parametrize("said", ["and now?", "what about now", "anything free?"])
async def test_forms_a_follow_up_question_is_no_ward(said):
    # "and now?" while the ward was asked: "I don't know ward 'andnow?'"
    from typing import Any, cast

    from actions.slotvalues import CHECKS, CheckContext

    check = await CHECKS["ward"](said, cast(CheckContext, cast(Any, None)))
    assert check.value is None and check.reply is not None
    assert check.reply.kind == "invalid_ward"


@pytest.mark.parametrize(
    ("said", "taken"), [("yes", False), ("ok thanks", False), ("floor needs mopping", True)]
)
async def test_forms_a_yes_is_no_description(said, taken):
    # "yes" / "ok" to "Briefly, what is needed?" was filed as the job's description
    from typing import Any, cast

    from actions.slotvalues import CHECKS, CheckContext

    check = await CHECKS["help_description"](said, cast(CheckContext, cast(Any, None)))
    assert (check.value is not None) is taken


@pytest.mark.parametrize("text", ["MRN 1234", "mrn 12-34", "1234"])
async def test_forms_a_short_mrn_for_the_name_is_told_what_an_mrn_looks_like(text):
    # "MRN 1234" while the name was asked: "Sorry, I didn't get that. What is the
    # patient's full name?" - nothing said of the MRN meant
    slots, messages, _ = await validate(
        "find_patient_form", requested="patient_name", text=text, set_now={"patient_name": text}
    )
    assert "invalid_mrn" in kinds(messages) and "invalid_patient_name" not in kinds(messages)
    assert not slots.get("patient_name") and not slots.get("mrn")


async def test_forms_free_slots_right_after_a_clinic_list_are_that_clinics():
    # "any free slots?" right after the ENT list for friday asked "Which clinic?"
    last = {
        "intent": "list_clinic_appointments",
        "slots": {"department": "cardiology", "time": "friday"},
    }
    slots, messages, _ = await validate(
        "check_free_slots_form", filled={"last_task": last}, intent="check_free_slots",
        text="any free slots?", user="s.ali",
    )  # fmt: skip
    assert slots.get("department") == "cardiology" and slots.get("time") == "friday"
    assert "ask_department" not in kinds(messages)


async def test_forms_a_status_said_again_while_a_bed_change_asks_is_the_status_meant():
    # "reopen 4B bed 3" while "block bed 4" asked which ward: bed 3 became the bed but the
    # status stayed closed ("4B Bed 3 is already closed") - the reopen never happened
    text = "reopen 4B bed 3"
    entities = [
        {"entity": "ward", "value": "4B", "start": 7, "end": 9},
        {"entity": "bed", "value": "3", "start": 14, "end": 15},
    ]
    slots, _, _ = await validate(
        "update_bed_status_form", filled={"bed": "4", "bed_status": "C"}, requested="ward",
        intent="update_bed_status", text=text, entities=entities,
        set_now={"ward": "4B", "bed": "3"}, user="b.okoro",
    )  # fmt: skip
    assert (slots.get("ward"), slots.get("bed"), slots.get("bed_status")) == ("4B", "3", "U")


@pytest.mark.parametrize("text", ["hmm asdf", "qwerty"])
async def test_forms_keyboard_mash_for_a_ward_is_not_understood_not_an_unknown_ward(text):
    # "hmm asdf" while the ward was asked: "I don't know ward 'hmmasdf'. Wards here are ..."
    slots, messages, _ = await validate(
        "update_bed_status_form", requested="ward", intent="nlu_fallback", text=text,
        set_now={"ward": text}, user="c.sam",
    )  # fmt: skip
    assert "invalid_ward" in kinds(messages) and "unknown_ward" not in kinds(messages)
    assert slots.get("ward") is None


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("request_help", "get a porter to take him to CT, urgent"),
        ("book_appointment", "never mind, book her into cardiology on friday"),
        ("find_patient", "and Hamza Campbell?"),
        ("nlu_fallback", "where is he?"),
    ],
)
async def test_forms_breakglass_reason_is_no_request_question_or_stop(intent, text):
    # each was taken as the reason: emergency access granted, recorded with it, and the
    # request itself dropped
    slots, _, out = await validate(
        "breakglass_form", requested="breakglass_reason", intent=intent, text=text, safety="none"
    )
    assert out[0]["event"] == "action_execution_rejected", out


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("find_patient", "need to review him urgently, on call"),
        ("request_help", "nurse in charge asked me to see him"),
        ("book_appointment", "covering the ward tonight"),
    ],
)
async def test_forms_breakglass_reason_worded_as_a_reason_is_taken(intent, text):
    slots, _, _ = await validate(
        "breakglass_form", requested="breakglass_reason", intent=intent, text=text, safety="none"
    )
    assert slots["breakglass_reason"] == text


@pytest.mark.parametrize(
    ("held", "said", "time", "kind"),
    [
        ("friday", "10:00", "friday at 10:00", "slot_noted"),  # was "OK, changed to 10:00."
        ("on wednesday", "at 11am", "on wednesday at 11am", "slot_noted"),
        ("friday 9am", "10:00", None, "slot_corrected"),  # a time of day held: changed
        ("at 11am", "on wednesday", "on wednesday at 11am", "slot_noted"),  # the day added
    ],
)
async def test_forms_a_time_of_day_after_the_day_held_is_noted_on_that_day(held, said, time, kind):
    # "friday" / "neurology" / "10:00" while the patient is asked: friday at 10:00, noted
    # (it said "OK, changed to 10:00." and the day was lost)
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"department": "neurology", "time": held},
        requested="patient_name",
        text=said,
        set_now={"time": said},
        entities=[{"entity": "time", "value": said, "start": 0, "end": len(said)}],
    )
    assert time is None or slots["time"] == time
    assert slots["requested_slot"] == "patient_name" and kind in kinds(messages)


async def test_forms_a_bed_tagged_on_a_word_that_names_none_is_no_miss():
    # "mark a bed as clean": NLU tagged "as" as the bed - it said "Sorry, I didn't get
    # that. Which bed number?" before even asking the ward
    slots, messages, _ = await validate(
        "update_bed_status_form",
        intent="update_bed_status",
        text="mark a bed as clean",
        set_now={"bed": "as", "bed_status": "U"},
        user="c.sam",
    )
    assert "invalid_bed" not in kinds(messages)
    assert slots.get("bed") is None and slots["bed_status"] == "U"
    assert slots["requested_slot"] in ("ward", "bed")


@pytest.mark.parametrize("said", ["blah", "asdfgh", "hmm"])
async def test_forms_filler_or_mash_is_no_patient_name(said):
    # "blah" to "What is the patient's full name?" was taken as the name (the MRN asked next)
    slots, messages, _ = await validate(
        "book_appointment_form",
        requested="patient_name",
        intent="nlu_fallback",
        text=said,
        set_now={"patient_name": said},
        user="s.ali",
    )
    assert slots.get("patient_name") is None
    assert slots["requested_slot"] == "patient_name"


async def test_forms_the_name_said_beside_other_details_is_taken_with_them():
    # "Ngozi Price, neurology, friday pm" while the name was asked: the clinic and the
    # time were noted and the name asked again
    text = "Ngozi Price, cardiology, friday pm"
    entities = [
        {"entity": "department", "value": "cardiology", "start": 13, "end": 23},
        {"entity": "time", "value": "friday pm", "start": 25, "end": 34},
    ]
    slots, _, _ = await validate(
        "book_appointment_form",
        requested="patient_name",
        filled={"mrn": "10180589"},
        intent="inform",
        text=text,
        entities=entities,
        set_now={"department": "cardiology", "time": "friday pm"},
        user="s.ali",
    )
    assert slots["patient_name"] == "Ngozi Price"
    assert slots["department"]


async def test_forms_the_name_tagged_beside_other_details_is_the_name_not_the_whole_text():
    text = "Ngozi Price, cardiology, friday pm"
    entities = [
        {"entity": "patient_name", "value": "Ngozi Price", "start": 0, "end": 11},
        {"entity": "department", "value": "cardiology", "start": 13, "end": 23},
        {"entity": "time", "value": "friday pm", "start": 25, "end": 34},
    ]
    slots, _, _ = await validate(
        "book_appointment_form",
        requested="patient_name",
        filled={"mrn": "10180589"},
        intent="nlu_fallback",
        text=text,
        entities=entities,
        set_now={"patient_name": text},
        user="s.ali",
    )
    assert slots["patient_name"] == "Ngozi Price"


@pytest.mark.parametrize(
    ("said", "first", "second", "meant"),
    [
        (
            "move Mary Smith 10004821 diabetes appt on monday to wednesday afternoon",
            "monday",
            "wednesday afternoon",
            "wednesday afternoon",
        ),
        ("move Mary Smith 10004821 from monday to wednesday", "monday", "wednesday", "wednesday"),
    ],
)
async def test_forms_a_move_from_one_day_to_another_takes_the_day_moved_to(
    said, first, second, meant
):
    # "... on monday to wednesday afternoon" offered Monday afternoon's slots (the two
    # days were read together as one time, the day moved from first)
    entities = [
        {
            "entity": "time",
            "value": first,
            "start": said.index(first),
            "end": said.index(first) + len(first),
        },
        {
            "entity": "time",
            "value": second,
            "start": said.rindex(second),
            "end": said.rindex(second) + len(second),
        },
    ]
    slots, _, _ = await validate(
        "reschedule_appointment_form",
        intent="reschedule_appointment",
        text=said,
        entities=entities,
        set_now={"patient_name": "Mary Smith", "mrn": "10004821", "time": first},
        user="s.ali",
    )
    assert slots["time"] == meant


@pytest.mark.parametrize(
    ("said", "entities", "meant"),
    [
        ("free neurology slots fri pm", [], "fri pm"),
        (
            "any free derm slots after 3pm on tuesday",
            [("3pm", 21), ("on tuesday", 25)],
            "after 3pm on tuesday",
        ),
    ],
)
async def test_forms_free_slots_read_the_part_of_the_day_and_a_bound(said, entities, meant):
    # "fri pm" (nothing tagged), "after 3pm on tuesday": the slots from 09:00 were shown
    tagged = [{"entity": "time", "value": v, "start": at, "end": at + len(v)} for v, at in entities]
    slots, _, _ = await validate(
        "check_free_slots_form",
        intent="check_free_slots",
        text=said,
        entities=[{"entity": "department", "value": "neurology"}, *tagged],
        set_now={"department": "neurology", **({"time": entities[-1][0]} if entities else {})},
        user="s.ali",
    )
    assert slots["time"] == meant


@pytest.mark.parametrize("text", ["the first one", "second one", "the last slot", "Ngozi Price"])
async def test_forms_a_pick_among_things_shown_is_no_patient_name(text):
    # "the first one" while the name was asked was taken as the patient "First One"
    slots, messages, _ = await validate(
        "book_appointment_form", requested="patient_name", text=text, set_now={"patient_name": text}
    )
    named = text == "Ngozi Price"
    assert bool(slots.get("patient_name")) is named
    assert ("invalid_patient_name" in kinds(messages)) is not named


async def test_forms_a_lower_case_ward_code_with_a_bed_answers_which_ward():
    bed = [{"entity": "bed", "value": "2", "start": 7, "end": 8}]
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter"},
        set_now={"bed": "2", "ward": "4b bed 2"},  # the mapping takes the answer whole
        requested="ward",
        text="4b bed 2",
        entities=bed,
    )
    assert slots["ward"] == "4B" and slots["bed"] == "2"
    assert slots["requested_slot"] != "ward" and "slot_noted" not in kinds(messages)


async def test_forms_another_help_request_is_held_not_taken_as_the_description():
    said = "oh and housekeeping for bed 7 too, spillage"
    entities = [
        {"entity": "help_type", "value": "housekeeping", "start": 7, "end": 19},
        {"entity": "bed", "value": "7", "start": 28, "end": 29},
    ]
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "5", "urgency": "routine"},
        set_now={"help_type": "housekeeping", "bed": "7", "help_description": said},
        requested="help_description",
        intent="request_help",
        text=said,
        entities=entities,
    )
    # the porter request keeps its own details and asks its description again
    assert slots["help_type"] == "porter" and slots["bed"] == "5"
    assert slots["help_description"] is None
    assert slots["requested_slot"] == "help_description"
    held = [m for m in messages if (m.get("custom") or {}).get("kind") == "request_held"]
    assert held and held[0]["custom"]["data"] == {"clause": said}


async def test_forms_a_plain_description_naming_a_bed_is_still_the_description():
    said = "bed 7 needs a wheelchair to x-ray"
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "5", "urgency": "routine"},
        set_now={"help_description": said},
        requested="help_description",
        intent="request_help",
        text=said,
        entities=[{"entity": "bed", "value": "7", "start": 4, "end": 5}],
    )
    assert slots.get("help_description") == said and "request_held" not in kinds(messages)


async def test_forms_a_description_said_before_another_help_request_is_taken_and_the_rest_held():
    said = "the label printer wont print, also need housekeeping for bed 4 as well"
    entities = [
        {"entity": "help_type", "value": "housekeeping", "start": 40, "end": 52},
        {"entity": "bed", "value": "4", "start": 61, "end": 62},
    ]
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "it", "ward": "4B", "urgency": "routine"},
        set_now={"help_type": "housekeeping", "bed": "4", "help_description": said},
        requested="help_description",
        intent="request_help",
        text=said,
        entities=entities,
    )
    assert slots["help_type"] == "it" and slots.get("bed") is None
    assert slots["help_description"] == "the label printer wont print"
    assert slots["requested_slot"] is None  # the IT request is complete
    held = [m for m in messages if (m.get("custom") or {}).get("kind") == "request_held"]
    assert held[0]["custom"]["data"] == {"clause": "also need housekeeping for bed 4 as well"}


async def test_forms_a_patient_name_and_mrn_are_left_out_of_a_help_description():
    said = "Emily Lloyd 10176509 needs to go to xray"
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "2", "urgency": "routine"},
        set_now={"help_description": said},
        requested="help_description",
        text=said,
        entities=[{"entity": "patient_name", "value": "Emily Lloyd", "start": 0, "end": 11}],
    )
    assert slots["help_description"] == "[name] [mrn] needs to go to xray"
    assert "help_description_phi_removed" in kinds(messages)


async def test_forms_a_help_description_without_patient_details_is_kept_as_said():
    said = "wheelchair to xray, bay 4"
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "2", "urgency": "routine"},
        set_now={"help_description": said},
        requested="help_description",
        text=said,
    )
    assert slots["help_description"] == said
    assert "help_description_phi_removed" not in kinds(messages)


@pytest.mark.parametrize("text", ["ok carry on", "where were we", "continue"])
async def test_forms_carry_on_while_a_question_is_asked_is_no_miss(text):
    # "ok carry on" at "When would suit?" (nothing interrupted) said "Sorry, I didn't get
    # that" and, after one more miss, "I still need the time ... or stop here"
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821", "department": "cardiology"},
        requested="time",
        intent="affirm",
        text=text,
        misses="time:1",
    )
    assert "invalid_time" not in kinds(messages) and "misses" not in slots


@pytest.mark.parametrize(
    "said", ["hmm is there a porter free", "ok, is there a porter free", "sorry who is in bed 2"]
)
def test_forms_a_question_after_a_filler_word_leaves_the_question(said):
    # "hmm is there a porter free" while a booking asked the time was "Sorry, I didn't get
    # that" (the question word was looked for only at the start)
    from actions.reading import is_interruption
    from actions.state import Turn
    from intents.catalog import default_catalog

    catalog = default_catalog()
    form = catalog.form("book_appointment_form")
    assert form is not None
    ranked = (
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "request_help", "confidence": 0.38},
    )
    turn = Turn("nlu_fallback", 0.4, said, (), "none", ranked)
    assert is_interruption(turn, form, "time", catalog)


async def test_forms_a_value_ruled_out_by_not_is_not_taken():
    # "actually no bed 4 not 7" right after ICU bed 7 (NLU: ward 7): the follow-up kept
    # ICU, then the form took ward 7 again from the message (it was Ward 7 Bed 4); here
    # with the fake HMS's wards
    text = "actually no bed 4 not 7C"
    slots, messages, _ = await validate(
        "update_bed_status_form",
        intent="inform",
        text=text,
        filled={"ward": "4B", "bed": "4", "bed_status": "U"},
        set_now={"ward": "7C", "bed": "4"},
        entities=[
            {"entity": "bed", "value": "4", "start": 16, "end": 17},
            {"entity": "ward", "value": "7C", "start": 22, "end": 24},
        ],
    )
    assert slots.get("ward") in (None, "4B")
    assert "unknown_ward" not in kinds(messages)


async def test_forms_a_value_ruled_out_keeps_the_one_a_follow_up_opened_the_form_with():
    # the follow-up opened the form with 4B (set after the message); Rasa's candidate is the
    # ruled-out 7C: the form keeps 4B (it asked "Which ward?" again)
    text = "actually no bed 4 not 7C"
    entities = [
        {"entity": "bed", "value": "4", "start": 16, "end": 17},
        {"entity": "ward", "value": "7C", "start": 22, "end": 24},
    ]
    events: list[dict] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "ward", "value": "7C"},
        {"event": "slot", "name": "bed", "value": "4"},
        {"event": "action", "name": "action_continue"},
        {"event": "slot", "name": "ward", "value": "4B"},
        {"event": "slot", "name": "bed", "value": "4"},
        {"event": "slot", "name": "bed_status", "value": "U"},
        {"event": "followup", "name": "update_bed_status_form"},
        # Rasa opens the form: the slot mappings run again, then its temporary tracker
        {"event": "slot", "name": "ward", "value": "7C"},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "action", "name": "update_bed_status_form"},
        {"event": "slot", "name": "ward", "value": "7C"},
        {"event": "slot", "name": "bed", "value": "4"},
    ]
    slots = {"ward": "7C", "bed": "4", "bed_status": "U", "requested_slot": None}
    trk = tracker(
        "c.sam",
        intent="inform",
        text=text,
        slots=slots,
        entities=entities,
        active_loop="update_bed_status_form",
        events=events,
    )
    out = await form_validator("update_bed_status_form")().run(CollectingDispatcher(), trk, {})
    set_to = {e["name"]: e["value"] for e in out if e["event"] == "slot"}
    assert set_to.get("ward") == "4B"


async def test_forms_a_ward_the_user_may_not_change_ends_the_bed_change_at_once():
    # a 4B nurse's "update a bed", "7C": it asked the bed and the status, then refused
    slots, _, _ = await validate(
        "update_bed_status_form", requested="ward", text="7C", set_now={"ward": "7C"}
    )
    assert slots["requested_slot"] is None
    # their own ward goes on to the bed
    slots, _, _ = await validate(
        "update_bed_status_form", requested="ward", text="4B", set_now={"ward": "4B"}
    )
    assert slots["requested_slot"] == "bed"


async def test_forms_a_ward_the_user_may_not_change_is_refused_before_the_rest():
    from actions.beds import ActionUpdateBedStatus
    from tests.actions.fakes import run

    trk = tracker("n.jones", intent="inform", text="7C", slots={"ward": "7C"})
    messages, _ = await run(ActionUpdateBedStatus(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_denied"]


@pytest.mark.parametrize(
    ("before", "text", "ward"),
    [
        # right after "4B Bed 9 is occupied - mark it free anyway?"
        (
            {"confirmed": {"beds": [{"ward": "4B", "bed": "9", "label": "4B Bed 9"}]}},
            "bed 1 is clean",
            "4B",
        ),
        # right after a bed question about 7C
        (
            {"last_task": {"intent": "check_bed_availability", "slots": {}, "on_ward": "7C"}},
            "bed 1 is clean",
            "7C",
        ),
        # right after 7C bed 2 was changed
        (
            {"last_task": {"intent": "update_bed_status", "slots": {"ward": "7C", "bed": "2"}}},
            "bed 1 is clean",
            "7C",
        ),
        # a ward named in the message, or none in hand: not guessed
        (
            {"last_task": {"intent": "check_bed_availability", "slots": {}, "on_ward": "7C"}},
            "bed 1 on ward 4B is clean",
            None,
        ),
        ({"last_task": {"intent": "find_patient", "slots": {}}}, "bed 1 is clean", None),
    ],
)
async def test_forms_a_bed_named_without_its_ward_is_on_the_ward_just_talked_about(
    before, text, ward
):
    # "bed 1 is clean" right after a bed on 4B asked "Which ward?" (found trying the
    # demo as a bed manager)
    slots, messages, _ = await validate(
        "update_bed_status_form",
        filled=before,
        set_now={"bed": "1", "bed_status": "free"},
        text=text,
        intent="update_bed_status",
        user="b.okoro",
    )
    if ward is None:
        assert slots.get("ward") in (None, "4B" if "4B" in text else None)
    else:
        assert slots.get("ward") == ward and slots.get("requested_slot") is None


@pytest.mark.parametrize(("text", "intent"), [("yes", "affirm"), ("yes please", "affirm")])
async def test_forms_a_yes_to_a_question_with_choices_names_the_choices(text, intent):
    # "yes" to "How urgent is it?" was "Sorry, I didn't get that." (found trying the demo
    # as a nurse)
    slots, messages, _ = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B"},
        requested="urgency",
        text=text,
        intent=intent,
    )
    assert [m["text"] for m in messages] == ["Please pick one: Routine, Urgent or Immediately."]
    assert slots.get("urgency") is None and slots.get("misses") == "urgency:1"


@pytest.mark.parametrize(
    ("text", "set_now"),
    [
        ("mark 4B-13 dirty", {"ward": "4B-13", "bed_status": "needs cleaning"}),  # as a ward
        ("4b-13 needs a clean", {"bed_status": "needs cleaning"}),  # not tagged at all
    ],
)
async def test_forms_a_bed_id_is_its_ward_and_its_bed(text, set_now):
    # "4b-13 needs a clean" asked "Which ward?" (found trying the demo as a bed manager)
    slots, _, _ = await validate(
        "update_bed_status_form", set_now=set_now, text=text, intent="update_bed_status",
        user="b.okoro",
    )  # fmt: skip
    assert (slots.get("ward"), slots.get("bed")) == ("4B", "13")
    assert slots.get("requested_slot") is None


async def test_forms_a_time_said_while_the_clinic_is_asked_is_the_time():
    # "book Kerry Demir 10001575" / "actually make it the morning" while the clinic was
    # asked: "I don't know a clinic 'morning'", and a second miss dropped the booking (found
    # by the scheduling helper)
    slots, messages, _ = await validate(
        "book_appointment_form",
        filled={"patient_name": "Mary Smith", "mrn": "10004821"},
        requested="department",
        set_now={"department": "actually make it the morning"},
        text="actually make it the morning",
        intent="inform",
        user="s.ali",
    )
    assert slots.get("time") == "morning" and slots.get("department") is None
    assert [m["text"] for m in messages] == ["Noted: morning."]
    assert slots.get("misses") is None and slots.get("requested_slot") == "department"
