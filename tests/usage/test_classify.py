"""Turn classification from reply kinds (the reply-facts contract)."""

from __future__ import annotations

import pytest

from assistant.usage.classify import classify
from intents.catalog import load_catalog

INTENTS = tuple(i.name for i in load_catalog().tasks())


@pytest.mark.parametrize(
    ("kinds", "intent", "outcome"),
    [
        (["check_bed_availability_success"], "check_bed_availability", "success"),
        (["check_bed_availability_none"], "check_bed_availability", "success"),
        (["book_appointment_denied"], "book_appointment", "denied"),
        (["request_help_error"], "request_help", "failure"),
        (["book_appointment_confirm"], "book_appointment", "question"),
        (["ask_mrn"], None, "question"),
        (["unknown_ward"], None, "question"),
        (["nlu_fallback_clarify"], None, "fallback"),
        (["nlu_fallback_rephrase"], None, "fallback"),
        (["fallback_default"], None, "fallback"),
        (["emergency_caution", "check_bed_availability_success"], "emergency", "emergency"),
        (["talk_to_human_success"], "talk_to_human", "handoff"),
        (["handoff_waiting"], "talk_to_human", "handoff"),
        ([], None, "other"),
        (["stop_ok"], None, "other"),
    ],
)
def test_classify_reads_intent_and_outcome_from_kinds(kinds, intent, outcome):
    turn = classify(kinds, INTENTS)
    assert (turn.intent, turn.outcome) == (intent, outcome)


def test_classify_prefers_the_longest_intent_name():
    # "cancel_appointment_success" must not be read as some shorter intent's kind
    assert classify(["cancel_appointment_success"], INTENTS).intent == "cancel_appointment"
    assert classify(["check_request_status_none"], INTENTS).intent == "check_request_status"
