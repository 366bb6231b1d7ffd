"""Reading the kind of help from a description that never names it."""

from __future__ import annotations

import pytest

from actions.help import infer_help_type, infer_urgency


@pytest.mark.parametrize(
    "text",
    [
        "move patient from 4B to radiology, not urgent",
        "move the patient in bed 5 to x-ray",
        "take the patient down to MRI",
        "can someone take patient to radiology",
        "patient needs taking to the discharge lounge",
    ],
)
def test_infer_help_type_reads_patient_moves_as_porter(text):
    assert infer_help_type(text) == "porter"


def test_infer_help_type_keeps_other_kinds_and_unknowns():
    assert infer_help_type("the printer on 4B is jammed") == "it"
    assert infer_help_type("spill in the corridor") == "housekeeping"
    assert infer_help_type("please call me back") is None


def test_infer_urgency_reads_not_urgent_as_routine_in_a_move_request():
    assert infer_urgency("move patient from 4B to radiology, not urgent") == "routine"


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("not routine, urgent", "urgent"),
        ("urgent not routine", "urgent"),
        ("it's not routine", "urgent"),
        ("stat, not routine", "stat"),
        ("routine", "routine"),
        ("not urgent", "routine"),
    ],
)
def test_infer_urgency_a_routine_denied_is_urgent(text, urgency):
    # "not routine, urgent" right after a routine request was read as routine
    assert infer_urgency(text) == urgency


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("can wait till tomorrow", "routine"),
        ("it can wait", "routine"),
        ("we can't wait", None),
        ("this cannot wait", None),
    ],
)
def test_infer_urgency_can_wait_is_routine(text, urgency):
    assert infer_urgency(text) == urgency


@pytest.mark.parametrize(
    "text", ["commode needs emptying", "bedpans in the sluice", "bins overflowing in bay 2"]
)
def test_infer_help_type_reads_commodes_and_sluice_work_as_housekeeping(text):
    assert infer_help_type(text) == "housekeeping"


def _weak_emergency(text: str, active_loop: str | None = None):
    from tests.actions.fakes import tracker

    trk = tracker("n.jones", intent="emergency", text=text, safety="none", active_loop=active_loop)
    trk.latest_message["intent"]["confidence"] = 0.64
    trk.latest_message["intent_ranking"] = [
        {"name": "emergency", "confidence": 0.64},
        {"name": "check_bed_availability", "confidence": 0.16},
    ]
    return trk


async def test_help_job_read_weakly_as_an_emergency_is_a_help_request():
    # 'commode needs emptying': "If this is an emergency, call 2222 now", a hospital-wide
    # free-bed summary and "Sorry, I didn't get that"
    from actions.conversation import ActionEmergency
    from actions.services import set_services
    from tests.actions.fakes import make_services, run

    set_services(make_services())
    messages, events = await run(ActionEmergency(), _weak_emergency("commode needs emptying"))
    assert messages == []
    assert {"event": "followup", "name": "request_help_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    # no job named: the doubt keeps its caution and the likelier task
    messages, events = await run(ActionEmergency(), _weak_emergency("reschedule a patient"))
    assert [m["custom"]["kind"] for m in messages] == ["emergency_caution"]
    assert {"event": "followup", "name": "request_help_form"} not in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("reserve it for the pt in bed 5", None),
        ("can you do it", None),
        ("get it done today", None),
        ("take it to x-ray", "porter"),
        ("need IT on 4B", "it"),
        ("need it on 4b", "it"),
        ("it support on ccu please", "it"),
        ("need i t on 4b", "it"),
    ],
)
def test_infer_help_type_the_pronoun_it_is_no_it_request(text, kind):
    # "reserve it for the pt in bed 5" filed an IT request for 4B bed 5
    assert infer_help_type(text) == kind
