"""Follow-up questions ("and friday?") right after an answer: asked again with that changed."""

from __future__ import annotations

import re

import pytest

from actions.beds import ActionCheckBedAvailability
from actions.followup import elliptical, follow_up, remember, untagged_ward
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def ent(entity, value, text):
    start = text.lower().index(value.lower())
    return {"entity": entity, "value": value, "start": start, "end": start + len(value)}


@pytest.mark.parametrize(
    ("text", "entity", "value", "expected"),
    [
        ("and friday?", "time", "friday", True),
        ("what about ICU?", "ward", "ICU", True),
        ("ok, how about ward 7", "ward", "7", True),
        ("sorry, 4B", "ward", "4B", True),  # after "I don't know ward 5"
        ("and any free beds on 4B?", "ward", "4B", False),  # a full request: asked afresh
        ("friday", "time", "friday", False),  # no follow-up cue
    ],
)
def test_followup_elliptical_is_a_cue_and_only_details(text, entity, value, expected):
    turn = Turn("inform", 0.9, text, (ent(entity, value, text),), None)
    assert elliptical(turn) is expected


def _after(last, text, entity, value, intent="inform"):
    e = ent(entity, value, text)
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": entity, "value": value},
    ]
    slots = {"last_task": last, entity: value}
    return tracker("n.jones", intent=intent, text=text, slots=slots, entities=[e], events=events)


def test_followup_asks_the_last_question_again_with_the_new_detail():
    last = {"intent": "check_bed_availability", "slots": {"ward": "4B", "bed_type": "side room"}}
    trk = _after(last, "what about 7C?", "ward", "7C")
    assert follow_up(trk, Turn.of(trk)) == (
        "check_bed_availability",
        {"bed_type": "side room", "ward": "7C"},
    )


def test_followup_needs_a_question_that_takes_follow_ups():
    last = {"intent": "book_appointment", "slots": {"department": "cardiology"}}
    trk = _after(last, "and friday?", "time", "friday")
    assert follow_up(trk, Turn.of(trk)) is None


async def test_followup_an_answered_question_is_remembered_and_a_refusal_is_not():
    _, events = await run(ActionCheckBedAvailability(), tracker("n.jones", slots={"ward": "4B"}))
    last = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_task"]
    assert last[-1] == {
        "intent": "check_bed_availability",
        "slots": {"ward": "4B"},
        "listed": ["bed-4b-02", "bed-4b-03"],  # the free beds listed, for "close it" next
        "on_ward": "4B",  # the one ward asked about, for "close bed 1" next
    }
    _, events = await run(ActionCheckBedAvailability(), tracker("nobody", slots={"ward": "4B"}))
    assert not [e for e in events if e["name"] == "last_task" and e["value"]]


async def test_followup_is_answered_at_once_keeping_what_was_not_changed():
    from actions.flow import ActionContinue

    last = {"intent": "check_bed_availability", "slots": {"ward": "7C", "bed_type": "side room"}}
    messages, events = await run(ActionContinue(), _after(last, "what about 4B?", "ward", "4B"))
    custom = messages[0]["custom"]
    assert custom["kind"] == "check_bed_availability_success"
    assert custom["data"]["ward"] == "4B" and custom["data"]["feature"] == "side-room"
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


def test_followup_never_remembers_a_patient():
    trk = tracker("n.jones", slots={"ward": "4B", "patient_name": "Jane Doe", "mrn": "10004821"})
    (event,) = remember("list_ward_patients", trk, [])
    assert event["value"] == {"intent": "list_ward_patients", "slots": {"ward": "4B"}}


def _typed(last, text, entity, value, intent):
    """A message after ``last`` whose entity the slot mappings did not take (as for
    "affirm"): only the entity names the detail."""
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": text, "parse_data": {}},
    ]
    return tracker(
        "n.jones",
        intent=intent,
        text=text,
        slots={"last_task": last},
        entities=[ent(entity, value, text)],
        events=events,
    )


@pytest.mark.parametrize(
    ("intent", "action", "answered"),
    [
        ("watch_bed_availability", "ActionWatchBedAvailability", "watch_bed_availability_success"),
        ("list_bed_watches", "ActionListBedWatches", "list_bed_watches_none"),
        ("cancel_bed_watch", "ActionCancelBedWatch", "cancel_bed_watch_none"),
    ],
)
@pytest.mark.parametrize(("text", "said_as"), [("ok on 4B then", "affirm"), ("4B", "inform")])
async def test_followup_typed_value_after_an_unknown_value_asks_the_same_task_again(
    watches, intent, action, answered, text, said_as
):
    import actions.watches
    from actions.flow import ActionContinue

    said = "stop my bed watch on ward 9" if intent == "cancel_bed_watch" else "beds on ward 9"
    first = tracker("n.jones", intent=intent, text=said)
    messages, events = await run(getattr(actions.watches, action)(), first)
    assert messages[0]["custom"]["kind"] == "unknown_ward"
    last = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_task"][-1]
    assert last == {
        "intent": intent,
        "slots": {},
        "unknown": "ward",
        "missed": 1,
        "missed_value": "9",
    }
    messages, events = await run(ActionContinue(), _typed(last, text, "ward", "4B", said_as))
    assert messages[0]["custom"]["kind"] == answered
    assert messages[0]["custom"]["data"].get("ward") in ("4B", None)
    if intent == "watch_bed_availability":
        (watch,) = watches.active("n.jones")
        assert watch.ward_code == "4B"


def test_followup_after_an_unknown_value_only_that_value_asks_again():
    last = {
        "intent": "watch_bed_availability",
        "slots": {"bed_type": "side room"},
        "unknown": "ward",
    }
    trk = _typed(last, "and friday?", "time", "friday", "inform")
    assert follow_up(trk, Turn.of(trk)) is None  # not the detail the task lacked
    trk = _typed(last, "any free beds on 4B?", "ward", "4B", "check_bed_availability")
    assert follow_up(trk, Turn.of(trk)) is None  # a whole new request starts afresh
    trk = _typed(last, "sorry, 4B", "ward", "4B", "inform")
    assert follow_up(trk, Turn.of(trk)) == (
        "watch_bed_availability",
        {"bed_type": "side room", "ward": "4B"},
    )


async def test_followup_of_a_bed_status_change_changes_that_bed_too():
    # "and bed 8" right after "bed 7 on 4B is clean now": the same change to bed 8
    from actions.flow import ActionContinue

    last = {"intent": "update_bed_status", "slots": {"ward": "4B", "bed": "7", "bed_status": "U"}}
    _, events = await run(ActionContinue(), _after(last, "and bed 8", "bed", "8"))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["ward"] == "4B" and slots["bed"] == "8" and slots["bed_status"] == "U"
    assert events[-1]["name"] == "update_bed_status_form"


@pytest.mark.parametrize(
    ("text", "bed"),
    [
        ("and 25", "25"),
        ("and bed twenty five", "25"),
        ("same for 12 please", "12"),
        ("and the next one", None),
        ("and 4B", None),
        ("25", None),
    ],
)
def test_followup_a_bare_number_after_a_bed_is_the_next_bed(text, bed):
    last = {"intent": "update_bed_status", "slots": {"ward": "4B", "bed": "18", "bed_status": "U"}}
    trk = tracker("c.sam", intent="nlu_fallback", text=text, slots={"last_task": last})
    found = follow_up(trk, Turn.of(trk))
    if bed is None:
        assert found is None
    else:
        assert found == ("update_bed_status", {"ward": "4B", "bed": bed, "bed_status": "U"})


@pytest.mark.parametrize(
    ("text", "bed"),
    [
        ("no wait, bed 4", "4"),
        ("sorry, I meant 4", "4"),
        ("oops, bed four", "4"),
        ("and 4", "4"),
        ("wrong bed, it was 4", "4"),
        ("sorry it should have been bed 4", "4"),
    ],
)
def test_followup_correction_right_after_a_bed_change_is_that_change_for_the_other_bed(text, bed):
    undo = {"bed_id": "bed-7c-03", "label": "7C Bed 3", "ward": "7C", "bed": "3", "status": "U"}
    last = {
        "intent": "update_bed_status",
        "slots": {"ward": "7C", "bed": "3", "bed_status": "C"},
        "undo": undo,
    }
    trk = tracker("b.okoro", intent="nlu_fallback", text=text, slots={"last_task": last})
    assert follow_up(trk, Turn.of(trk)) == (
        "update_bed_status",
        {"ward": "7C", "bed": bed, "bed_status": "C"},
    )


@pytest.mark.parametrize(
    ("text", "ruled_out"),
    [("actually no bed 8 not 7", "7"), ("sorry bed 8 not 7", "7"), ("no, bed 8 instead of 7", "7")],
)
def test_followup_a_number_ruled_out_by_not_is_no_ward(text, ruled_out):
    # NLU tagged the "7" of "not 7" as a ward: it was Ward 7 Bed 8 instead of ICU Bed 8
    last = {"intent": "update_bed_status", "slots": {"ward": "ICU", "bed": "7", "bed_status": "U"}}
    start = text.rindex(ruled_out)
    entities = [
        {"entity": "bed", "value": "8", "start": text.index("8"), "end": text.index("8") + 1},
        {"entity": "ward", "value": ruled_out, "start": start, "end": start + 1},
    ]
    trk = tracker("c.sam", intent="inform", text=text, entities=entities, slots={"last_task": last})
    assert follow_up(trk, Turn.of(trk)) == (
        "update_bed_status",
        {"ward": "ICU", "bed": "8", "bed_status": "U"},
    )


async def test_followup_correction_after_a_bed_change_offers_to_put_the_first_bed_back():
    from actions.beds import ActionUpdateBedStatus

    _, events = await run(
        ActionUpdateBedStatus(),
        tracker(
            "b.okoro", text="close bed 1 on 7C", slots={"ward": "7C", "bed": "1", "bed_status": "C"}
        ),
    )
    [last] = [
        e["value"]
        for e in events
        if e["event"] == "slot" and e["name"] == "last_task" and e["value"]
    ][-1:]
    assert last["undo"]["label"] == "7C Bed 1" and last["undo"]["status"] == "U"
    slots = {"ward": "7C", "bed": "2", "bed_status": "C", "last_task": last}
    messages, _ = await run(
        ActionUpdateBedStatus(), tracker("b.okoro", text="no wait, bed 2", slots=slots)
    )
    [button] = messages[0]["buttons"]
    assert button["payload"] == '/update_bed_status{"ward":"7C","bed":"1","bed_status":"U"}'
    # without a correction cue nothing is offered back
    messages, _ = await run(
        ActionUpdateBedStatus(),
        tracker("b.okoro", text="and bed 2", slots={**slots, "bed_status": "H"}),
    )
    assert not messages[0]["buttons"]


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("ward 3", "3"),
        ("5C", "5C"),
        ("what about ward nine", "nine"),
        ("the cardiac ward", "cardiac ward"),
        ("ok 5c then", "5C"),
    ],
)
def test_followup_untagged_ward_after_an_unknown_ward_asks_again(text, ward):
    last = {"intent": "check_bed_availability", "slots": {}, "unknown": "ward"}
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker(
        "n.jones", intent="nlu_fallback", text=text, slots={"last_task": last}, events=events
    )
    assert follow_up(trk, Turn.of(trk)) == ("check_bed_availability", {"ward": ward})


@pytest.mark.parametrize("text", ["any free beds on ward 3?", "blah blah", "ward 3 bed 4"])
def test_followup_untagged_ward_is_only_a_ward_said_alone(text):
    assert untagged_ward(Turn("inform", 0.9, text, (), None)) is None


async def test_followup_second_unknown_ward_in_a_row_offers_the_help_desk():
    last = {"intent": "check_bed_availability", "slots": {}, "unknown": "ward"}
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": "ward 3", "parse_data": {}},
    ]
    first, _ = await run(ActionCheckBedAvailability(), tracker("n.jones", slots={"ward": "3"}))
    again, _ = await run(
        ActionCheckBedAvailability(),
        tracker("n.jones", text="ward 3", slots={"ward": "3", "last_task": last}, events=events),
    )
    assert first[0]["custom"]["kind"] == again[0]["custom"]["kind"] == "unknown_ward"
    assert not any(b["payload"] == "/talk_to_human" for b in first[0]["buttons"])
    assert any(b["payload"] == "/talk_to_human" for b in again[0]["buttons"])


async def test_followup_third_unknown_ward_in_a_row_stops_instead_of_answering_the_same():
    # "6A", "6A", "6A": the same "I don't know ward '6A'" list a third time was a loop
    last = {
        "intent": "check_bed_availability",
        "slots": {},
        "unknown": "ward",
        "missed": 2,
        "missed_value": "6A",
    }
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": "6A", "parse_data": {}},
    ]
    trk = tracker("n.jones", text="6A", slots={"ward": "6A", "last_task": last}, events=events)
    messages, after = await run(ActionCheckBedAvailability(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["fallback_default"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/talk_to_human"]
    # the count starts again: a fourth "6A" is answered as the first was
    remembered = [e.get("value") for e in after if e.get("name") == "last_task"]
    assert not any(isinstance(v, dict) and v.get("unknown") for v in remembered)


async def test_followup_unknown_ward_named_with_the_request_counts_towards_the_third_time():
    # "watch for a bed on ward 9" / "ward 9" / "9": the first answer kept no value (the
    # ward was only in the message), so the third "9" got the same list again, not the end
    from actions.watches import ActionWatchBedAvailability

    said = [{"entity": "ward", "value": "9", "start": 24, "end": 25}]
    trk = tracker(
        "b.okoro", intent="watch_bed_availability", text="watch for a bed on ward 9", entities=said
    )
    first, after = await run(ActionWatchBedAvailability(), trk)
    assert first[0]["custom"]["kind"] == "unknown_ward"
    last = [e["value"] for e in after if e.get("name") == "last_task"][-1]
    assert (last["missed"], last["missed_value"]) == (1, "9")
    for count, text in ((2, "ward 9"), (3, "9")):
        events = [
            {"event": "slot", "name": "last_task", "value": last},
            {"event": "user", "text": text, "parse_data": {}},
        ]
        trk = tracker("b.okoro", text=text, slots={"ward": "9", "last_task": last}, events=events)
        messages, after = await run(ActionWatchBedAvailability(), trk)
        kinds = [m["custom"]["kind"] for m in messages]
        if count == 2:
            assert kinds == ["unknown_ward"]
            last = [e["value"] for e in after if e.get("name") == "last_task"][-1]
    assert kinds == ["fallback_default"]


def test_followup_and_an_untagged_ward_after_an_answer_is_that_ward_not_a_bed():
    last = {"intent": "update_bed_status", "slots": {"ward": "4B", "bed": "12", "bed_status": "U"}}
    trk = tracker("k.osei", intent="nlu_fallback", text="and ward 5", slots={"last_task": last})
    assert follow_up(trk, Turn.of(trk)) == ("update_bed_status", {"bed_status": "U", "ward": "5"})


@pytest.mark.parametrize(
    ("text", "entities", "ticket"),
    [
        (
            "HR-999998",
            [
                {"entity": "ticket_id", "value": "HR-999998", "start": 0, "end": 9},
                {"entity": "mrn", "value": "999998", "start": 3, "end": 9},
            ],
            "HR-999998",
        ),
        ("ticket 12345", [], "HR-012345"),
    ],
)
def test_followup_another_ticket_right_after_an_unknown_ticket_asks_again(text, entities, ticket):
    last = {"intent": "check_request_status", "slots": {}, "unknown": "ticket_id"}
    trk = tracker(
        "n.jones", intent="inform", text=text, slots={"last_task": last}, entities=entities
    )
    assert follow_up(trk, Turn.of(trk)) == ("check_request_status", {"ticket_id": ticket})


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("reopen it", "U"),
        ("actually make it dirty", "H"),
        ("close it", "C"),
        ("never mind", None),
        ("forget it", None),
        ("close bed 4", None),  # another bed: a request of its own
    ],
)
def test_followup_a_new_status_for_the_bed_just_changed_is_that_bed(text, status):
    last = {"intent": "update_bed_status", "slots": {"ward": "7", "bed": "3", "bed_status": "C"}}
    entities = [{"entity": "bed", "value": "4", "start": 6, "end": 11}] if "bed" in text else []
    trk = tracker("b.okoro", intent="stop", text=text, entities=entities, slots={"last_task": last})
    found = follow_up(trk, Turn.of(trk))
    if status is None:
        assert found is None or found[1].get("bed") != "3"
    else:
        assert found == ("update_bed_status", {"ward": "7", "bed": "3", "bed_status": status})


async def test_followup_reopen_it_read_as_stop_changes_the_bed_not_stops():
    from actions.flow import ActionStop

    last = {"intent": "update_bed_status", "slots": {"ward": "4B", "bed": "7", "bed_status": "C"}}
    trk = tracker("n.jones", intent="stop", text="reopen it", slots={"last_task": last})
    messages, events = await run(ActionStop(), trk)
    assert not any((m.get("custom") or {}).get("kind") == "stop_ok" for m in messages)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["bed"] == "7" and slots["bed_status"] == "U"


async def test_followup_of_a_status_question_asks_about_the_same_status():
    # "which beds need cleaning on 4B" then "and on 7C?": beds needing cleaning on 7C
    from actions.flow import ActionContinue

    first = tracker(
        "b.okoro",
        intent="check_bed_availability",
        text="which beds need cleaning on 4B",
        slots={"ward": "4B"},
    )
    _, events = await run(ActionCheckBedAvailability(), first)
    [last] = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_task"][-1:]
    assert last["asked"] == {"bed_status": "H"}
    messages, _ = await run(ActionContinue(), _after(last, "and on 7C?", "ward", "7C"))
    data = messages[0]["custom"]["data"]
    assert data["ward"] == "7C" and data["status"] == "H"
    assert [b["label"] for b in data["beds"]] == ["7C Bed 2"]


def test_followup_correction_after_a_bed_left_as_it_was_is_that_bed_instead():
    # "mark bed 1 clean" answered "already free" (nothing to undo), then "no wait, bed 2"
    last = {"intent": "update_bed_status", "slots": {"ward": "4B", "bed": "1", "bed_status": "U"}}
    trk = _after(last, "no wait, bed 2", "bed", "2")
    assert follow_up(trk, Turn.of(trk)) == (
        "update_bed_status",
        {"ward": "4B", "bed": "2", "bed_status": "U"},
    )


def test_followup_wrong_patient_after_a_patient_question_asks_it_for_the_one_meant():
    last = {"intent": "find_patient", "slots": {}}
    trk = _after(last, "wrong patient, I meant 10004821", "mrn", "10004821")
    assert follow_up(trk, Turn.of(trk)) == ("find_patient", {"mrn": "10004821"})
    # the patient is never kept: a follow-up naming no patient is no follow-up of it
    trk = _after(last, "and bed 4?", "bed", "4")
    assert follow_up(trk, Turn.of(trk)) is None


async def test_followup_a_patient_question_refused_on_ward_scope_is_remembered_too():
    from actions.patients import ActionFindPatient

    # n.jones (4B) asks for a patient on 7C: refused, but "wrong patient, I meant ..." may follow
    trk = tracker("n.jones", intent="find_patient", slots={"mrn": "10009999"})
    messages, events = await run(ActionFindPatient(), trk)
    assert messages[0]["custom"]["kind"] == "find_patient_denied"
    last = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "last_task"]
    assert last[-1] == {"intent": "find_patient", "slots": {}}


def test_followup_not_this_but_that_asks_again_for_the_one_meant():
    # "not cardiology, dermatology" right after the cardiology list
    last = {"intent": "list_clinic_appointments", "slots": {"department": "cardiology"}}
    text = "not cardiology, dermatology"
    entities = [ent("department", "cardiology", text), ent("department", "dermatology", text)]
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker(
        "j.wright", intent="inform", text=text, slots={"last_task": last}, entities=entities,
        events=events,
    )  # fmt: skip
    assert follow_up(trk, Turn.of(trk)) == (
        "list_clinic_appointments",
        {"department": "dermatology"},
    )


def test_followup_sorry_that_bed_only_after_a_ward_list_asks_about_that_bed():
    last = {"intent": "list_ward_patients", "slots": {"ward": "4B"}}
    trk = _after(last, "sorry, bed 3 only", "bed", "3")
    assert follow_up(trk, Turn.of(trk)) == ("list_ward_patients", {"ward": "4B", "bed": "3"})


async def test_followup_of_a_digression_while_the_offer_to_go_back_is_open_keeps_the_offer():
    # booking interrupted by "any free beds on ward 3?" -> "I don't know ward 3" and "Shall
    # we carry on booking?"; then "sorry, 4B": free beds on 4B, and the offer stays
    from actions.flow import ActionContinue

    last = {"intent": "check_bed_availability", "slots": {}, "unknown": "ward"}
    stash = {"intent": "book_appointment", "form": "book_appointment_form", "slots": {}}
    text = "sorry, 4B"
    before: list[dict] = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "slot", "name": "stash", "value": stash},
        {"event": "slot", "name": "pending", "value": "resume"},
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "ward", "value": "4B"},
    ]
    slots = {"last_task": last, "stash": stash, "pending": "resume", "ward": "4B"}
    trk = tracker(
        "n.jones", intent="inform", text=text, slots=slots,
        entities=[ent("ward", "4B", text)], events=before,
    )  # fmt: skip
    messages, events = await run(ActionContinue(), trk)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots.get("stash") == stash and slots.get("pending") == "resume"  # not dropped
    kinds = [(m.get("custom") or {}).get("kind") for m in messages]
    assert "check_bed_availability_success" in kinds
    assert kinds[-1] == "resume_offer"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("done with bed 18", ("update_bed_status", "18")),
        ("bed 25 cleaned", ("update_bed_status", "25")),
        ("finished 25", ("update_bed_status", "25")),
        ("done with bed 5", None),  # not among the beds listed: never an occupied bed freed
        ("is bed 18 clean?", None),  # a question
        ("bed 18 not done yet", None),
    ],
)
def test_followup_housekeeping_done_with_a_listed_bed_marks_it_clean(text, expected):
    last = {
        "intent": "check_bed_availability",
        "slots": {"ward": "4B"},
        "asked": {"bed_status": "H"},
        "listed": ["bed-4b-18", "bed-4b-25"],
    }
    trk = tracker("c.sam", intent="nlu_fallback", text=text, slots={"last_task": last})
    found = follow_up(trk, Turn.of(trk))
    if expected is None:
        assert found is None or found[0] != "update_bed_status"
    else:
        assert found is not None
        intent, details = found
        assert (intent, details["bed"]) == expected
        assert details["ward"] == "4B" and details["bed_status"] == "clean"


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("bed 4 is done", "update_bed_status", ("4", "U")),
        ("block bed 2", "nlu_fallback", ("2", "C")),
        ("mark 6 as clean", "update_bed_status", ("6", "U")),
        ("is bed 4 clean?", "update_bed_status", None),  # a question
        ("bed 4 free", "check_bed_availability", None),  # asked, not told
        ("and bed 9 too", "inform", None),  # no status: the question asked again
        ("beds 4 and 5 are done", "update_bed_status", None),  # several: not guessed
    ],
)
@pytest.mark.parametrize("after", ["question", "change"])
def test_followup_a_bed_not_listed_is_on_the_ward_just_named(text, intent, expected, after):
    # "bed 4 is done" right after "No beds waiting for cleaning on Ward 4B right now" (or
    # right after 4B bed 3 was changed) asked "Which ward?" (found trying the demo as
    # housekeeping); the update itself still refuses an occupied bed
    if after == "question":
        last = {
            "intent": "check_bed_availability",
            "slots": {"ward": "4b"},
            "asked": {"bed_status": "H"},
            "on_ward": "4B",
        }
    else:
        last = {
            "intent": "update_bed_status",
            "slots": {"ward": "4B", "bed": "3", "bed_status": "U"},
            "undo": {"bed_id": "bed-4b-03"},
        }
    tagged = [ent("bed", m, text) for m in re.findall(r"\bbeds?\s+(\d+)", text)]  # as NLU tags
    trk = tracker("c.sam", intent=intent, text=text, slots={"last_task": last}, entities=tagged)
    found = follow_up(trk, Turn.of(trk))
    if expected is None:
        assert found is None or found[0] != "update_bed_status" or found[1].get("bed") != "4"
    else:
        assert found == (
            "update_bed_status",
            {"ward": "4B", "bed": expected[0], "bed_status": expected[1]},
        )


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("mark it as needing cleaning", "update_bed_status", "needs cleaning"),
        ("close it", "update_bed_status", "closed"),
        ("is it clean?", "update_bed_status", None),
    ],
)
async def test_followup_it_right_after_one_bed_asked_about_is_that_bed(text, intent, expected):
    # "is bed 6 free" (on the nurse's own ward) / "mark it as needing cleaning" asked
    # "Which ward?" (found trying the demo as a nurse)
    trk = tracker("n.jones", intent="check_bed_availability", text="is bed 2 free")
    trk.slots["bed"] = "2"
    _, events = await run(ActionCheckBedAvailability(), trk)
    last = remember_of(events)
    assert last["listed"] == ["bed-4b-02"] and last["on_ward"] == "4B"
    trk = tracker("n.jones", intent=intent, text=text, slots={"last_task": last})
    found = follow_up(trk, Turn.of(trk))
    if expected is None:
        assert found is None or found[0] != "update_bed_status"
    else:
        assert found is not None and found[0] == "update_bed_status"
        assert (found[1]["ward"], found[1]["bed"]) == ("4B", "2")
        from actions.beds import STATUS_PHRASES, bed_status_code

        assert (
            STATUS_PHRASES.get(bed_status_code(found[1]["bed_status"]) or "")
            == {
                "needs cleaning": "waiting for cleaning",
                "closed": "closed",
            }[expected]
        )


def remember_of(events):
    return [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("which ones on 7", "list_ward_patients", True),
        ("which ones on ward 7", "list_ward_patients", True),
        ("where on 7?", "nlu_fallback", True),
        ("which patients are on 7", "list_ward_patients", False),  # another question
    ],
)
def test_followup_which_ones_on_a_ward_narrows_a_hospital_wide_answer(text, intent, expected):
    # "how many beds need cleaning hospital wide" / "which ones on 7" was refused as a
    # list of Ward 7's patients (found trying the demo as a bed manager)
    last = {"intent": "check_bed_availability", "slots": {}, "asked": {"bed_status": "H"}}
    trk = tracker(
        "b.okoro", intent=intent, text=text, slots={"last_task": last},
        entities=[ent("ward", "7", text)],
    )  # fmt: skip
    found = follow_up(trk, Turn.of(trk))
    if expected:
        assert found == ("check_bed_availability", {"bed_status": "H", "ward": "7"})
    else:
        assert found is None


def test_followup_a_ward_named_is_not_overridden_by_the_ward_in_hand():
    last = {"intent": "check_bed_availability", "slots": {"ward": "4B"}, "on_ward": "4B"}
    text = "7C bed 2 is done"
    trk = tracker(
        "c.sam", intent="update_bed_status", text=text, slots={"last_task": last},
        entities=[ent("ward", "7C", text), ent("bed", "2", text)],
    )  # fmt: skip
    found = follow_up(trk, Turn.of(trk))
    assert found is None or found[1].get("ward") != "4B"


async def test_followup_a_bed_question_on_one_ward_keeps_that_ward():
    trk = tracker("c.sam", intent="check_bed_availability", text="which beds need cleaning on 4B")
    trk.slots["ward"] = "4B"
    _, events = await run(ActionCheckBedAvailability(), trk)
    kept = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")]
    assert kept and kept[-1]["on_ward"] == "4B" and "listed" not in kept[-1]  # none waiting


async def test_followup_beds_waiting_for_cleaning_are_kept_as_listed():
    trk = tracker("c.sam", intent="check_bed_availability", text="which beds need cleaning on 7C")
    trk.slots["ward"] = "7C"
    _, events = await run(ActionCheckBedAvailability(), trk)
    kept = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")]
    assert kept and kept[-1]["asked"] == {"bed_status": "H"}
    assert kept[-1]["listed"] and all(i.startswith("bed-7c-") for i in kept[-1]["listed"])


LISTED = {
    "intent": "list_appointments",
    "slots": {},
    "patient": {"patient_name": "Isla Thomas", "mrn": "10299218"},
    "listed_appointments": {"kind": "appointment", "ids": ["a-1", "a-2"], "starts": ["", ""]},
}


@pytest.mark.parametrize(
    ("text", "intent", "entities", "expected"),
    [
        ("cancel the first one", "cancel_appointment", None, "cancel_appointment"),
        ("move the 11:00 one to friday", "reschedule_appointment", None, "reschedule_appointment"),
        ("cancel it", "stop", None, "cancel_appointment"),
        # another patient named: a request of its own
        (
            "cancel the first one for 10004821",
            "cancel_appointment",
            [{"entity": "mrn", "value": "10004821", "start": 25, "end": 33}],
            None,
        ),
        ("cancel an appointment", "cancel_appointment", None, None),  # no listed item named
        ("and friday?", "inform", None, None),
    ],
)
def test_followup_acting_on_a_listed_appointment_keeps_the_patient_and_the_choice(
    text, intent, entities, expected
):
    trk = tracker("s.ali", intent=intent, text=text, entities=entities, slots={"last_task": LISTED})
    found = follow_up(trk, Turn.of(trk))
    if expected is None:
        assert found is None or found[0] not in ("cancel_appointment", "reschedule_appointment")
        return
    assert found is not None
    name, details = found
    assert name == expected
    assert details["patient_name"] == "Isla Thomas" and details["mrn"] == "10299218"
    assert details["pending"] == f"{expected}:pick"
    assert details["offered"]["ids"] == ["a-1", "a-2"]


@pytest.mark.parametrize(
    ("text", "listed", "found"),
    [
        ("close it", ["bed-4b-29"], ("29", "C")),
        ("ok block bed 29", ["bed-4b-03", "bed-4b-29"], ("29", "C")),
        ("close it", ["bed-4b-03", "bed-4b-29"], None),  # which one: not a guess
        ("close bed 12", ["bed-4b-03", "bed-4b-29"], None),  # not a bed listed
        ("is bed 29 closed?", ["bed-4b-29"], None),  # a question
    ],
)
def test_followup_a_change_to_a_bed_just_listed_is_that_bed(text, listed, found):
    # "close it" right after "Ward 4B has 1 free isolation bed: 4B Bed 29" was "Sorry, I
    # didn't get that"; "ok block bed 29" asked "Which ward?"
    from actions.followup import changes_a_listed_bed

    entities = [{"entity": "bed", "value": "29", "start": 0, "end": 1}] if "29" in text else []
    turn = Turn("update_bed_status", 0.9, text, tuple(entities), None)
    assert changes_a_listed_bed({"listed": listed}, turn) == found


def test_followup_a_ward_corrected_right_after_a_bed_change_keeps_the_bed():
    # "sorry I meant ward 4B" right after "bed 22 on ward 7 needs cleaning" asked "Which
    # bed number?" (the bed was dropped as for "and ward 5")
    undo = {"bed_id": "bed-7c-02", "label": "7C Bed 2", "ward": "7C", "bed": "2", "status": "U"}
    last = {
        "intent": "update_bed_status",
        "slots": {"ward": "7C", "bed": "2", "bed_status": "H"},
        "undo": undo,
    }
    text = "sorry I meant ward 4B"
    entities = [{"entity": "ward", "value": "4B", "start": 19, "end": 21}]
    trk = tracker(
        "b.okoro", intent="inform", text=text, entities=entities, slots={"last_task": last}
    )
    assert follow_up(trk, Turn.of(trk)) == (
        "update_bed_status",
        {"ward": "4B", "bed": "2", "bed_status": "H"},
    )


@pytest.mark.parametrize(
    ("text", "bed"), [("close the first one", "18"), ("block the last one", "25")]
)
def test_followup_close_the_first_listed_bed_changes_that_bed(text, bed):
    last = {"intent": "check_bed_availability", "slots": {"ward": "4B"}, "listed": []}
    last["listed"] = ["bed-4b-18", "bed-4b-25"]
    trk = tracker("k.osei", intent="inform", text=text, slots={"last_task": last})
    assert follow_up(trk, Turn.of(trk)) == (
        "update_bed_status",
        {"ward": "4B", "bed": bed, "bed_status": "C"},
    )


@pytest.mark.parametrize(
    "text", ["and now?", "check again", "how many free now", "how many are free now?"]
)
def test_followup_and_now_asks_the_bed_question_again(text):
    listed = {"intent": "check_bed_availability", "slots": {"ward": "4B"}, "listed": []}
    trk = tracker("k.osei", intent="check_free_slots", text=text, slots={"last_task": listed})
    assert follow_up(trk, Turn.of(trk)) == ("check_bed_availability", {"ward": "4B"})
    changed = {"intent": "update_bed_status", "slots": {"ward": "7C", "bed": "1"}}
    trk = tracker("k.osei", intent="inform", text=text, slots={"last_task": changed})
    assert follow_up(trk, Turn.of(trk)) == ("check_bed_availability", {"ward": "7C"})


@pytest.mark.parametrize("text", ["open it again", "reopen it", "open it back up"])
def test_followup_open_it_again_frees_the_bed_just_changed(text):
    last = {"intent": "update_bed_status", "slots": {"ward": "7C", "bed": "1", "bed_status": "C"}}
    trk = tracker("k.osei", intent="nlu_fallback", text=text, slots={"last_task": last})
    found = follow_up(trk, Turn.of(trk))
    assert found is not None and found[1]["bed_status"] == "U" and found[1]["bed"] == "1"


@pytest.mark.parametrize("said", ["ED", "maternity", "ICU?"])
def test_followup_a_ward_alone_after_a_question_asks_it_on_that_ward(said):
    # "Ask about a ward for the bed numbers" then "ED": "Sorry, I didn't get that"
    last = {"intent": "check_bed_availability", "slots": {}}
    entities = [{"entity": "ward", "value": "ED", "start": 0, "end": len(said.rstrip("?"))}]
    trk = tracker(
        "b.okoro", intent="nlu_fallback", text=said, entities=entities, slots={"last_task": last}
    )
    assert follow_up(trk, Turn.of(trk)) == ("check_bed_availability", {"ward": "ED"})


def test_followup_a_ward_alone_after_a_change_changes_nothing():
    last = {"intent": "update_bed_status", "slots": {"ward": "ICU", "bed": "3", "bed_status": "C"}}
    entities = [{"entity": "ward", "value": "HDU", "start": 0, "end": 3}]
    trk = tracker(
        "k.osei", intent="nlu_fallback", text="HDU", entities=entities, slots={"last_task": last}
    )
    assert follow_up(trk, Turn.of(trk)) is None


@pytest.mark.parametrize("text", ["on my ward", "what about my ward?", "and on our ward then"])
def test_followup_own_ward_alone_asks_the_same_question_on_it(text):
    # "on my ward" right after the side rooms hospital-wide: "Sorry, I didn't get that"
    last = {"intent": "check_bed_availability", "slots": {"bed_type": "side room"}}
    trk = tracker("n.jones", intent="nlu_fallback", text=text, slots={"last_task": last})
    assert follow_up(trk, Turn.of(trk)) == (
        "check_bed_availability",
        {"bed_type": "side room", "ward": "mine"},
    )


def test_followup_own_ward_alone_never_repeats_a_change():
    last = {"intent": "update_bed_status", "slots": {"ward": "ICU", "bed": "4", "bed_status": "C"}}
    trk = tracker("n.jones", intent="nlu_fallback", text="on my ward", slots={"last_task": last})
    assert follow_up(trk, Turn.of(trk)) is None


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("cardiac", "cardiac"),
        ("coronary", "coronary"),
        ("Cardiac!", "cardiac"),
        ("thanks", None),
        ("blah blah", None),
        ("no idea", None),
        ("cardiac ward please help me now", None),
    ],
)
def test_followup_a_word_alone_after_an_unknown_ward_is_the_ward_answered(text, ward):
    # "cardiac" right after "I don't know ward 'cardiac'" was "Sorry, I didn't get that"
    # (the second unknown was never counted)
    last = {"intent": "check_bed_availability", "slots": {}, "unknown": "ward"}
    trk = tracker("b.okoro", intent="nlu_fallback", text=text, slots={"last_task": last})
    found = follow_up(trk, Turn.of(trk))
    assert found == (("check_bed_availability", {"ward": ward}) if ward else None)


@pytest.mark.parametrize(
    ("text", "listed", "expected"),
    [
        ("both done", ["bed-ed-17", "bed-ed-30"], ["17", "30"]),
        ("all done", ["bed-ed-17", "bed-ed-30", "bed-ed-04"], ["17", "30", "4"]),
        ("they're all clean now", ["bed-ed-17", "bed-ed-30"], ["17", "30"]),
        ("finished them all", ["bed-ed-17", "bed-ed-30"], ["17", "30"]),
        ("both done", ["bed-ed-17", "bed-ed-30", "bed-ed-04"], []),  # "both" of three
        ("all done", [f"bed-ed-{n:02d}" for n in range(1, 9)], []),  # not all were shown
        ("all done for today", [], []),  # nothing listed: a goodbye
    ],
)
def test_followup_both_done_after_a_cleaning_list_is_every_bed_listed(text, listed, expected):
    # "what needs cleaning on ED" / "both done" said "Goodbye." and marked nothing (found
    # trying the demo as housekeeping)
    from actions.followup import cleans_every_listed_bed

    last = {
        "intent": "check_bed_availability",
        "slots": {"ward": "ED"},
        "asked": {"bed_status": "H"},
        "on_ward": "ED",
        "listed": listed,
    }
    trk = tracker("c.sam", intent="goodbye", text=text, slots={"last_task": last})
    assert cleans_every_listed_bed(last, Turn.of(trk)) == expected


async def test_followup_both_done_marks_both_listed_beds_clean():
    from actions.beds import ActionUpdateBedStatus

    services = make_services()
    set_services(services)
    beds = services.hms.beds
    beds[:] = [
        b.__class__(**{**b.__dict__, "status": "H"}) if b.label in ("4B Bed 2", "4B Bed 3") else b
        for b in beds
    ]
    last = {
        "intent": "check_bed_availability",
        "slots": {"ward": "4B"},
        "asked": {"bed_status": "H"},
        "on_ward": "4B",
        "listed": ["bed-4b-02", "bed-4b-03"],
    }
    events = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": "both done", "parse_data": {}},
    ]
    slots = {"last_task": last, "ward": "4B", "bed": "2", "bed_status": "clean"}
    trk = tracker("c.sam", intent="goodbye", text="both done", slots=slots, events=events)
    messages, _ = await run(ActionUpdateBedStatus(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_success"] * 2
    assert {b.label: b.status for b in beds if b.ward_code == "4B"}["4B Bed 3"] == "U"
    assert {b.label: b.status for b in beds if b.ward_code == "4B"}["4B Bed 2"] == "U"
