"""Messages not understood: a bare yes or no right after a miss opens nothing."""

from __future__ import annotations

import pytest

from actions.fallback import ActionFallback
from actions.flow import ActionContinue
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("action", "intent", "text"),
    [(ActionContinue, "affirm", "yes"), (ActionFallback, "nlu_fallback", "yeah ok")],
)
async def test_fallback_yes_after_a_miss_offers_the_help_desk_and_opens_nothing(
    services, action, intent, text
):
    trk = tracker("n.jones", intent=intent, text=text, slots={"fallbacks": 2})
    messages, events = await run(action(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["nlu_fallback_clarify"]
    assert any(b["payload"] == "/talk_to_human" for b in messages[0]["buttons"])
    assert not any(e.get("name") == "fallbacks" for e in events)  # not another miss
    assert services.tickets.opened == []


async def test_fallback_no_after_a_miss_is_taken_and_the_misses_start_again():
    trk = tracker("n.jones", intent="deny", text="no thanks", slots={"fallbacks": 1})
    messages, events = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]
    assert {"event": "slot", "timestamp": None, "name": "fallbacks", "value": None} in events


async def test_fallback_yes_with_nothing_missed_before_is_not_understood():
    trk = tracker("n.jones", intent="affirm", text="yes", slots={})
    messages, _ = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["nlu_fallback_rephrase"]


async def test_fallback_yes_after_the_help_desk_was_offered_opens_nothing(services):
    events = [
        {
            "event": "bot",
            "text": "I couldn't get the ward...",
            "data": {"buttons": [{"title": "Contact the help desk", "payload": "/talk_to_human"}]},
        },
        {"event": "user", "text": "yes", "parse_data": {}},
    ]
    trk = tracker("b.okoro", intent="affirm", text="yes", slots={}, events=events)
    messages, _ = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["nlu_fallback_clarify"]
    assert any(b["payload"] == "/talk_to_human" for b in messages[0]["buttons"])
    assert services.tickets.opened == []


@pytest.mark.parametrize("said", ["yes", "ok", "no thanks"])
async def test_fallback_a_bare_yes_or_no_is_no_ward(said):
    from actions.slotvalues import check_ward

    result = await check_ward(said, None)  # type: ignore[arg-type]  # no HMS needed
    assert result.value is None and result.reply is not None
    assert result.reply.kind == "invalid_ward"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("asdfgh", True),
        ("blah blah", True),
        ("zzzz", True),
        ("qwerty zxcv", True),
        ("the sky is blue", False),
        ("what's the max dose of paracetamol", False),
        ("tell me a joke", False),
    ],
)
def test_fallback_nonsense_is_keyboard_mash_and_filler(text, expected):
    from actions.fallback import nonsense

    assert nonsense(text) is expected


async def test_fallback_nonsense_read_as_out_of_scope_is_not_understood():
    from actions.fallback import ActionOutOfScope

    messages, events = await run(
        ActionOutOfScope(), tracker("n.jones", intent="out_of_scope", text="asdfgh")
    )
    assert [m["custom"]["kind"] for m in messages] == ["nlu_fallback_rephrase"]
    assert {"event": "slot", "timestamp": None, "name": "fallbacks", "value": 1} in events
    messages, _ = await run(
        ActionOutOfScope(),
        tracker("n.jones", intent="out_of_scope", text="asdfgh", active_loop="request_help_form"),
    )
    assert [m["custom"]["kind"] for m in messages] == ["nlu_fallback_rephrase"]


async def test_fallback_a_real_out_of_scope_question_is_declined():
    from actions.fallback import ActionOutOfScope

    dispatcher_messages, _ = await run(
        ActionOutOfScope(), tracker("n.jones", intent="out_of_scope", text="tell me a joke")
    )
    assert [m["custom"]["kind"] for m in dispatcher_messages] == ["out_of_scope_answer"]


async def test_fallback_second_miss_without_choices_does_not_say_one_of_these(services):
    # "asdf jkl" after "qwerty": nothing NLU ranked to offer, so no "Is it one of these?"
    # over a lone help-desk button
    trk = tracker("n.jones", intent="nlu_fallback", text="asdf jkl", slots={"fallbacks": 1})
    trk.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.4}]
    messages, _ = await run(ActionFallback(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["nlu_fallback_clarify"]
    assert "one of these" not in messages[0]["text"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert "/talk_to_human" in payloads and len(payloads) == 2


async def test_fallback_a_name_read_as_a_no_is_the_request_it_names(services):
    # "find Ngozi Wright": NLU read a deny (0.41) with the name tagged; no yes or no word
    # in it, so the likeliest task its details fit is served (was "Sorry, I didn't get that")
    text = "find Ngozi Wright"
    entities = [{"entity": "patient_name", "value": "Ngozi Wright", "start": 5, "end": 17}]
    trk = tracker("n.jones", intent="deny", text=text, entities=entities)
    trk.latest_message["intent_ranking"] = [
        {"name": "deny", "confidence": 0.41},
        {"name": "find_patient", "confidence": 0.26},
    ]
    messages, events = await run(ActionContinue(), trk)
    assert not any(m["custom"]["kind"].startswith("nlu_fallback") for m in messages)
    assert {"event": "followup", "timestamp": None, "name": "find_patient_form"} in events
    # a real no is still a no
    trk = tracker("n.jones", intent="deny", text="no, Ngozi Wright", entities=entities)
    messages, _ = await run(ActionContinue(), trk)
    assert not any(m["custom"]["kind"].startswith("find_patient") for m in messages)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("porter pls", "request_help"), ("porter", "request_help"), ("porter broke the lift", None)],
)
def test_fallback_a_message_naming_only_what_one_task_is_about_is_that_task(text, intent):
    # "porter pls" (NLU: not understood, the help type tagged) was "Sorry, I didn't get that"
    from actions.fallback import only_names
    from actions.state import Turn
    from intents.catalog import default_catalog

    entity = {"entity": "help_type", "value": "porter", "start": 0, "end": 6}
    turn = Turn("nlu_fallback", 0.4, text, (entity,), None)
    assert only_names(turn, default_catalog()) == intent


async def test_fallback_putting_off_with_nothing_in_hand_is_taken_not_a_miss(services):
    # "hmm forget it, it's fine" right after a finished change: "Sorry, I didn't get that"
    trk = tracker("n.jones", intent="nlu_fallback", text="hmm forget it, it's fine")
    messages, _ = await run(ActionFallback(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["stop_ok"]


@pytest.mark.parametrize("text", ["show the queue", "HD-000099"])
async def test_fallback_queue_words_from_a_help_desk_agent_show_the_queue(services, text):
    # "show the queue" / a bare "HD-000099" from the help desk (NLU: not understood) was
    # "Sorry, I didn't get that"
    trk = tracker("h.lee", intent="nlu_fallback", text=text)
    messages, _ = await run(ActionFallback(), trk)
    assert messages[0]["custom"]["kind"].startswith("handoff_queue")
    nurse = tracker("n.jones", intent="nlu_fallback", text=text)
    messages, _ = await run(ActionFallback(), nurse)
    assert not messages[0]["custom"]["kind"].startswith("handoff_queue")


@pytest.mark.parametrize(
    ("text", "ranking"),
    [
        ("maintenance on ICU bed 8", [("nlu_fallback", 0.4), ("update_bed_status", 0.46)]),
        ("IT for ICU bed 4, urgent", [("inform", 0.62), ("request_help", 0.23)]),
        ("porter for MAT bed 3", [("inform", 0.53), ("cancel_help_request", 0.21)]),
    ],
)
def test_fallback_a_kind_of_help_and_a_place_is_a_help_request(text, ranking):
    # "maintenance on ICU bed 8" opened a bed status change ("What is the bed's new
    # status?") and trapped the user; the others were not understood
    from actions.fallback import reread
    from actions.state import Turn

    kinds_said = {"maintenance": "maintenance", "IT": "it", "porter": "porter"}
    first = text.split()[0]
    entities = [{"entity": "help_type", "value": kinds_said[first], "start": 0, "end": len(first)}]
    entities += [
        {"entity": "bed", "value": text.split("bed ")[1][:1], "start": text.index("bed "), "end": 0}
    ]
    ranked = tuple({"name": n, "confidence": c} for n, c in ranking)
    assert (
        reread(Turn(ranking[0][0], ranking[0][1], text, tuple(entities), None, ranked))
        == "request_help"
    )


async def test_fallback_a_statement_with_not_after_a_miss_is_no_no(services):
    # "monitor not working" (NLU: a no) right after a miss was taken as "no": "OK. Tell me
    # what you need whenever you're ready"
    from rasa_sdk.executor import CollectingDispatcher

    from actions.fallback import after_fallback
    from actions.state import Turn

    trk = tracker("c.sam", intent="deny", text="monitor not working", slots={"fallbacks": 1})
    assert after_fallback(CollectingDispatcher(), trk, Turn.of(trk)) is None
    plain = tracker("c.sam", intent="deny", text="no thanks", slots={"fallbacks": 1})
    assert after_fallback(CollectingDispatcher(), plain, Turn.of(plain)) is not None


@pytest.mark.parametrize(
    ("said", "clinical"),
    [
        ("whats the wifi password", False),
        ("where is the staff canteen", False),
        ("whats the max dose of paracetamol", True),
        ("should i give him his meds now", True),
    ],
)
async def test_fallback_out_of_scope_mentions_clinical_advice_only_when_asked_for_it(
    said, clinical
):
    # "whats the wifi password" got "... and I can't give clinical advice"
    from actions.fallback import ActionOutOfScope

    messages, _ = await run(
        ActionOutOfScope(), tracker("n.jones", intent="out_of_scope", text=said)
    )
    assert len(messages) == 1
    if clinical:
        assert messages[0].get("response") == "utter_out_of_scope_answer"
    else:
        assert messages[0]["custom"]["kind"] == "out_of_scope_answer"
        assert "clinical" not in messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "ranking", "serves"),
    [
        (
            "hang on, what clinics are on friday?",
            [("nlu_fallback", 0.4), ("list_places", 0.31), ("list_clinic_appointments", 0.23)],
            "list_places",
        ),
        # an answer to the step, not a question of its own
        ("what about friday?", [("nlu_fallback", 0.4), ("list_places", 0.31)], None),
        ("any on friday?", [("nlu_fallback", 0.4), ("check_free_slots", 0.35)], None),
        ("any slots on friday?", [("nlu_fallback", 0.4), ("check_free_slots", 0.35)], None),
        ("hang on, which one is earliest?", [("nlu_fallback", 0.4), ("list_places", 0.3)], None),
        ("blorp", [("nlu_fallback", 0.4), ("list_places", 0.31)], None),
        # the waiting task's own reading is no other task
        ("what clinics?", [("nlu_fallback", 0.4), ("book_appointment", 0.3)], None),
    ],
)
async def test_stepasks_a_question_of_its_own_at_a_confirm_is_served_then_the_booking_offered(
    text, ranking, serves
):
    # "hang on, what clinics are on friday?" at "Book H.C. ... at 09:20?" (NLU unsure): the
    # question answered, the booking offered back (it was "Shall I book it? Yes or no.")
    from actions.stepasks import asks_its_own

    before = {
        "patient_name": "Mary Smith",
        "mrn": "10004821",
        "department": "neurology",
        "pending": "book_appointment:confirm",
        "confirmed": {"patient_id": "p-1", "slot_id": "slot-1", "start": "x"},
    }
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker("dr.patel", intent="nlu_fallback", text=text, slots=before, events=events)
    trk.latest_message["intent"]["confidence"] = 0.4
    trk.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    assert asks_its_own(Turn.of(trk), "book_appointment") == serves
    if serves is None:
        return
    messages, events = await run(ActionFallback(), trk)
    kinds = [m["custom"]["kind"] for m in messages]
    assert kinds == ["list_places_success", "resume_offer"]
    stash = [e["value"] for e in events if e.get("name") == "stash"][-1]
    assert stash["slots"]["confirmed"]["slot_id"] == "slot-1"


@pytest.mark.parametrize(("kind", "told"), [("handoff_queue_success", True), ("greet", False)])
async def test_fallback_claim_after_the_help_desk_queue_says_where_tickets_are_claimed(
    services, kind, told
):
    # "what's in the queue" then "claim the first one": "Sorry, I didn't get that"
    events = [
        {"event": "user", "text": "what's in the queue", "parse_data": {}},
        {"event": "bot", "text": "Help-desk tickets: ...", "data": {"custom": {"kind": kind}}},
        {"event": "user", "text": "claim the first one", "parse_data": {}},
    ]
    trk = tracker("h.lee", intent="nlu_fallback", text="claim the first one", events=events)
    messages, _ = await run(ActionFallback(), trk)
    kinds = [(m.get("custom") or {}).get("kind") for m in messages]
    assert ("handoff_claim_where" in kinds) is told
    assert services.tickets.opened == []


async def test_fallback_claim_read_as_an_answer_after_the_queue_says_where_too(services):
    # NLU read "claim the first one" as details (inform -> action_continue)
    events = [
        {"event": "user", "text": "what's in the queue", "parse_data": {}},
        {
            "event": "bot",
            "text": "Help-desk tickets",
            "data": {"custom": {"kind": "handoff_queue_success"}},
        },
        {"event": "user", "text": "claim the first one", "parse_data": {}},
    ]
    trk = tracker("h.lee", intent="inform", text="claim the first one", events=events)
    messages, _ = await run(ActionContinue(), trk)
    assert [(m.get("custom") or {}).get("kind") for m in messages] == ["handoff_claim_where"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("porter bed 3 urgent wheelchair to physio", "request_help"),
        ("porter for bed 3 no make that bed 4, urgent, wheelchair to physio", "request_help"),
        ("porter bed 3 and show me physio slots", None),  # a clinic asked about
    ],
)
def test_fallback_a_help_request_with_a_clinic_it_goes_to_is_a_help_request(text, expected):
    # n.jones 'porter for bed 3 no make that bed 4, urgent, wheelchair to physio' (NLU: not
    # understood; physio tagged as a clinic) -> "Sorry, I didn't get that."
    from actions.fallback import reread
    from actions.state import Turn

    entities = [{"entity": "help_type", "value": "porter", "start": 0, "end": 6}]
    entities.append({"entity": "bed", "value": "3", "start": text.index("3"), "end": 0})
    at = text.index("physio")
    entities.append({"entity": "department", "value": "physiotherapy", "start": at, "end": at + 6})
    ranked = ({"name": "nlu_fallback", "confidence": 0.4}, {"name": "inform", "confidence": 0.33})
    turn = Turn("nlu_fallback", 0.4, text, tuple(entities), None, ranked)
    assert reread(turn) == expected
