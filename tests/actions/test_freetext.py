"""What a help request's description is not: nonsense, a wait, a priority alone, a question
about something else - and what it still is (any wording of a job)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallback, ActionOutOfScope
from actions.forms import form_validator
from actions.freetext import asks_off_topic, only_priority, waits
from actions.reading import is_interruption
from actions.services import set_services
from actions.slotvalues import CHECKS, CheckContext
from actions.state import Turn
from intents.catalog import default_catalog
from tests.actions.fakes import make_services, run, tracker
from tests.actions.test_forms import kinds, validate

HELD = {"help_type": "porter", "ward": "4B", "bed": "8", "urgency": "urgent"}
DESCRIPTIONS = [
    "printer jammed, will not print",
    "take her to x-ray",
    "spill by bed 3",
    "commode needs emptying",
    "blood on floor",
    "patient transfer to CT",
    "the fridge is making a noise",
    "is the tap still leaking? it was reported yesterday",
    "can someone take her to x-ray?",
    "patient can wait in the chair for the porter",
]


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def described(said: str) -> bool:
    check = await CHECKS["help_description"](said, cast(CheckContext, cast(Any, None)))
    return check.value is not None


@pytest.mark.parametrize(
    "said", ["asdfgh", "lol", "blah blah", "haha", "urgent please", "not urgent after all"]
)
async def test_freetext_nonsense_filler_or_a_priority_alone_is_no_description(said):
    # 'asdfgh' / 'lol' to "Briefly, what is needed?" filed an IT / maintenance job
    assert not await described(said)


@pytest.mark.parametrize("said", DESCRIPTIONS)
async def test_freetext_a_job_in_any_wording_is_the_description(said):
    assert await described(said)


@pytest.mark.parametrize(
    ("said", "wait"),
    [
        ("hang on", True),
        ("wait", True),
        ("one sec", True),
        ("ok just a moment please", True),
        ("hmm let me check", True),
        ("hold on, one sec", True),
        ("hang on the door won't close", False),
        ("wait, 4A not 4B", False),
        ("one porter please", False),
    ],
)
def test_freetext_a_wait_is_only_words_that_ask_for_a_moment(said, wait):
    assert waits(Turn("nlu_fallback", 0.4, said, (), None)) is wait


@pytest.mark.parametrize(
    ("said", "priority"),
    [
        ("no sorry, routine is fine", "routine"),
        ("no rush actually", "routine"),
        ("can wait till tomorrow", "routine"),
        ("not urgent after all", "routine"),
        ("it's urgent after all", "urgent"),
        ("spill by bed 3, no rush", None),
        ("patient can wait in the chair", None),
        ("we can't wait", None),
    ],
)
def test_freetext_only_priority_reads_a_message_that_says_nothing_else(said, priority):
    assert only_priority(said) == priority


@pytest.mark.parametrize(
    "said",
    [
        "no sorry, routine is fine",
        "no rush actually",
        "can wait till tomorrow",
        "not urgent after all",
    ],
)
async def test_freetext_a_downgrade_while_the_description_is_asked_changes_the_urgency(said):
    # it was filed as the description and the job went out urgent
    slots, messages, _ = await validate(
        "request_help_form",
        filled=HELD,
        requested="help_description",
        text=said,
        set_now={"help_description": said},
    )
    assert slots["urgency"] == "routine" and "slot_corrected" in kinds(messages)
    assert slots.get("help_description") in (None, "")
    assert slots["requested_slot"] == "help_description"


async def test_freetext_the_priority_already_held_is_said_back_not_filed():
    slots, messages, _ = await validate(
        "request_help_form",
        filled={**HELD, "urgency": "routine"},
        requested="help_description",
        text="can wait till tomorrow",
        set_now={"help_description": "can wait till tomorrow"},
    )
    assert slots["help_description"] is None and slots["requested_slot"] == "help_description"
    assert kinds(messages) == ["invalid_text"] and "routine" in messages[0]["text"]


@pytest.mark.parametrize("said", ["hang on", "one sec", "wait"])
async def test_freetext_a_wait_while_the_description_is_asked_keeps_the_form(said):
    # 'hang on' was filed as the description
    slots, messages, _ = await validate(
        "request_help_form",
        filled=HELD,
        requested="help_description",
        intent="nlu_fallback",
        text=said,
        set_now={"help_description": said},
    )
    assert slots["help_description"] is None and slots["requested_slot"] == "help_description"
    assert kinds(messages) == ["wait_ok"]


RANKED = (
    {"name": "nlu_fallback", "confidence": 0.4},
    {"name": "list_my_jobs", "confidence": 0.45},
    {"name": "check_request_status", "confidence": 0.43},
)


@pytest.mark.parametrize(
    ("intent", "said", "ranking", "leaves"),
    [
        ("out_of_scope", "what's for lunch", (), True),  # declined, asked again
        ("out_of_scope", "who won the match?", (), True),
        ("nlu_fallback", "what are my requests?", RANKED, True),  # served, offered back
        ("check_request_status", "status of my requests", (), True),
        # statements and questions about the job stay the description
        ("out_of_scope", "the fridge is making a noise", (), False),
        ("out_of_scope", "is the tap in the sluice still leaking?", (), False),
        ("nlu_fallback", "can someone take her to x-ray?", RANKED, False),
        ("nlu_fallback", "spill by bed 3", RANKED, False),
    ],
)
def test_freetext_a_question_about_something_else_leaves_the_description(
    intent, said, ranking, leaves
):
    # "what are my requests?" / "status of my requests" were filed as the description
    catalog = default_catalog()
    form = catalog.form("request_help_form")
    assert form is not None
    confidence = 1.0 if intent == "check_request_status" else 0.6
    turn = Turn(intent, confidence, said, (), "none", ranking)
    assert is_interruption(turn, form, "help_description", catalog) is leaves


def test_freetext_a_break_glass_reason_put_as_a_question_stays_the_reason():
    # a reason reports what happened; NLU may rank another task for it (the ward's list)
    catalog = default_catalog()
    form = catalog.form("breakglass_form")
    assert form is not None
    ranked = (
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "list_ward_patients", "confidence": 0.5},
    )
    turn = Turn("nlu_fallback", 0.4, "why? she is deteriorating on 4B", (), "none", ranked)
    assert not is_interruption(turn, form, "breakglass_reason", catalog)


async def test_freetext_a_question_not_understood_mid_description_is_served():
    trk = tracker(
        "n.jones",
        intent="nlu_fallback",
        text="what are my requests?",
        slots={**HELD, "requested_slot": "help_description"},
        active_loop="request_help_form",
    )
    trk.latest_message["intent_ranking"] = list(RANKED)
    catalog = default_catalog()
    form = catalog.form("request_help_form")
    assert form is not None and asks_off_topic(Turn.of(trk), form, catalog)
    messages, _ = await run(ActionFallback(), trk)
    # a nurse does no jobs: the likeliest task she may ask for, her requests
    assert "check_request_status_none" in [m["custom"]["kind"] for m in messages]


async def test_freetext_can_wait_answered_to_the_urgency_question_is_routine():
    # (NLU: out of scope) "I can't give clinical advice" and the question again
    slots, _, out = await validate(
        "request_help_form",
        filled={"help_type": "porter", "ward": "4B", "bed": "8"},
        requested="urgency",
        intent="out_of_scope",
        text="can wait till tomorrow",
    )
    assert out[0]["event"] != "action_execution_rejected"
    assert slots["urgency"] == "routine"


async def test_freetext_a_wait_read_as_out_of_scope_keeps_the_question_without_a_miss():
    # "give me a minute" (NLU: out of scope) while a form asks was declined ("I can't help
    # with that") and counted as a miss of the question
    said = "give me a minute"
    slots = {**HELD, "requested_slot": "help_description"}
    trk = tracker(
        "n.jones", intent="out_of_scope", text=said, slots=slots, active_loop="request_help_form"
    )
    messages, _ = await run(ActionOutOfScope(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["wait_ok"]
    # the form, back after that answer, asks again without counting a miss
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": said, "parse_data": {}},
        {"event": "action", "name": "action_out_of_scope"},
    ]
    trk = tracker(
        "n.jones",
        intent="out_of_scope",
        text=said,
        slots=slots,
        active_loop="request_help_form",
        events=events,
    )
    out = await form_validator("request_help_form")().run(CollectingDispatcher(), trk, {})
    set_now = {e["name"]: e["value"] for e in out if e["event"] == "slot"}
    assert set_now.get("requested_slot") == "help_description" and "misses" not in set_now


@pytest.mark.parametrize(
    ("said", "lack"),
    [
        ("no hot water", True),
        ("no soap in the dispenser", True),
        ("no power in bay 2", True),
        ("no thanks", False),
        ("no need", False),
        ("no, the porter came", False),
        ("no patient has gone home", False),
        ("nope", False),
    ],
)
async def test_freetext_something_missing_said_with_no_is_the_description_not_a_stop(said, lack):
    # 'no hot water' to "Briefly, what is needed?" stopped the request (NLU: a no)
    from actions.flow import ActionStop

    slots = {**HELD, "requested_slot": "help_description"}
    trk = tracker("n.jones", intent="deny", text=said, slots=slots, active_loop="request_help_form")
    messages, events = await run(ActionStop(), trk)
    if lack:
        assert messages == [] and {"event": "slot", "name": "help_description"} in [
            {k: e.get(k) for k in ("event", "name")} for e in events
        ]
        assert {"event": "followup", "name": "request_help_form"} in [
            {k: e.get(k) for k in ("event", "name")} for e in events
        ]
    else:
        assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    catalog = default_catalog()
    form = catalog.form("request_help_form")
    assert form is not None
    turn = Turn("deny", 0.95, said, (), "none")
    assert is_interruption(turn, form, "help_description", catalog) is not lack


@pytest.mark.parametrize(
    ("said", "leaves"),
    [("light not working", False), ("bins not emptied", False), ("no, cancel", True)],
)
def test_freetext_a_not_inside_a_description_is_no_stop(said, leaves):
    # "light not working" to "Briefly, what is needed?" (NLU: a no) stopped the request
    catalog = default_catalog()
    form = catalog.form("request_help_form")
    assert form is not None
    turn = Turn("deny", 0.77, said, (), "none")
    assert is_interruption(turn, form, "help_description", catalog) is leaves


@pytest.mark.parametrize(
    ("action", "intent", "said"),
    [
        ("greet", "greet", "hold on"),
        ("out_of_scope", "out_of_scope", "hold on a sec"),
        ("fallback", "nlu_fallback", "one moment please"),
        ("continue", "inform", "one moment please"),
    ],
)
async def test_freetext_a_wait_with_nothing_asked_is_no_greeting_refusal_or_miss(
    action, intent, said
):
    # "hold on" (NLU: greet) got "Hello! I can help with..."; "hold on a sec" (out of
    # scope) "Sorry, I can't help with that"; "one moment please" a first miss
    from actions.conversation import ActionGreet
    from actions.flow import ActionContinue

    act = {
        "greet": ActionGreet(),
        "out_of_scope": ActionOutOfScope(),
        "fallback": ActionFallback(),
        "continue": ActionContinue(),
    }[action]
    messages, events = await run(act, tracker("n.jones", intent=intent, text=said))
    assert [m["custom"]["kind"] for m in messages] == ["wait_ok"]
    assert not [e for e in events if e.get("name") == "fallbacks"]


async def test_freetext_a_greeting_is_still_greeted():
    from actions.conversation import ActionGreet

    messages, _ = await run(ActionGreet(), tracker("n.jones", intent="greet", text="hiya"))
    assert [m.get("response") for m in messages] == ["utter_greet_answer"]


@pytest.mark.parametrize(
    ("said", "priority"),
    [
        ("downgrade that to routine", "routine"),
        ("no longer urgent", "routine"),
        ("not needed urgently anymore", "routine"),
        ("printer down", None),
    ],
)
def test_freetext_a_change_of_priority_worded_freely_is_only_a_priority(said, priority):
    # "downgrade that to routine" to "Briefly, what is needed?" was filed as the job's
    # description, at the old priority
    assert only_priority(said) == priority


@pytest.mark.parametrize(
    ("said", "leaves"),
    [
        ("oh and reopen ICU bed 1, wrong bed, should be ICU bed 4", True),
        ("close bed 4 on 4B", True),
        ("also free up bed 6 please", True),
        ("bed 4 needs a clean", False),
        ("the door of bed 3's bay won't close", False),
    ],
)
def test_freetext_a_bed_change_order_leaves_the_description(said, leaves):
    # 'oh and reopen ICU bed 1, wrong bed...' while a housekeeping job's description was
    # asked became its description (and cleared its bed as 'wrong bed')
    catalog = default_catalog()
    form = catalog.form("request_help_form")
    assert form is not None
    turn = Turn("update_bed_status", 0.99, said, (), "none")
    assert is_interruption(turn, form, "help_description", catalog) is leaves
