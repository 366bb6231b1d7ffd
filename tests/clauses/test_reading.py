"""Reading a clause with Rasa's HTTP API (``/model/parse``) and the tracker's form."""

from __future__ import annotations

import json
from typing import Any

import httpx

from assistant.clauses import Reading
from assistant.clauses.rasa_api import RasaClauseReader
from assistant.clauses.reading import reading_of

SENDER = "rest:n.jones:c1"


def test_reading_of_keeps_intent_confidence_and_entity_types_only():
    parse = {
        "text": "book Jane Doe into cardiology",
        "intent": {"name": "book_appointment", "confidence": 0.97},
        "entities": [
            {"entity": "patient_name", "value": "Jane Doe"},
            {"entity": "department", "value": "cardiology"},
        ],
    }
    got = reading_of(parse)
    assert got == Reading("book_appointment", 0.97, frozenset({"patient_name", "department"}))
    assert "Jane Doe" not in repr(got)


def test_reading_of_fallback_is_not_understood_and_garbage_is_none():
    fallback = {"intent": {"name": "nlu_fallback", "confidence": 0.4}, "entities": []}
    assert reading_of(fallback) == Reading(None, 0.4, frozenset())
    assert reading_of({"intent": {"name": "x"}}) is None
    assert reading_of(["not", "a", "parse"]) is None


def rasa_api(calls: list[Any], *, tracker: dict[str, Any], status: int = 200) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if status != 200:
            return httpx.Response(status)
        if request.url.path == "/model/parse":
            text = json.loads(request.content)["text"]
            intent = {"name": "check_bed_availability", "confidence": 0.9}
            return httpx.Response(200, json={"text": text, "intent": intent, "entities": []})
        return httpx.Response(200, json=tracker)

    return httpx.MockTransport(handler)


async def test_rasa_clause_reader_parses_with_the_token_and_reads_the_form_of_the_tracker():
    calls: list[httpx.Request] = []
    tracker = {"sender_id": SENDER, "active_loop": {"name": "request_help_form"}}
    reader = RasaClauseReader(
        ["http://rasa-1:5005/"], "sekret", transport=rasa_api(calls, tracker=tracker)
    )
    assert await reader.read(SENDER, "free beds on 4B") == Reading(
        "check_bed_availability", 0.9, frozenset()
    )
    assert await reader.form_active(SENDER) is True
    parse, track = calls
    assert (parse.method, parse.url.path, parse.url.params["token"]) == (
        "POST",
        "/model/parse",
        "sekret",
    )
    assert track.url.path == f"/conversations/{SENDER}/tracker"
    assert track.url.params["include_events"] == "NONE"
    await reader.aclose()


async def test_rasa_clause_reader_no_form_another_conversation_or_failure():
    calls: list[httpx.Request] = []
    idle = RasaClauseReader(
        ["http://r:1"],
        "t",
        transport=rasa_api(calls, tracker={"sender_id": SENDER, "active_loop": {}}),
    )
    assert await idle.form_active(SENDER) is False
    other = RasaClauseReader(
        ["http://r:1"], "t", transport=rasa_api(calls, tracker={"sender_id": "rest:x:y"})
    )
    assert await other.form_active(SENDER) is None
    down = RasaClauseReader(
        ["http://r:1", "http://r:2"], "t", transport=rasa_api(calls, tracker={}, status=500)
    )
    assert await down.read(SENDER, "free beds") is None
    assert await down.form_active(SENDER) is None
    no_token = RasaClauseReader(["http://r:1"], "", transport=rasa_api(calls, tracker={}))
    before = len(calls)
    assert await no_token.read(SENDER, "free beds") is None
    assert len(calls) == before  # without the API token Rasa is not asked


def test_reading_of_keeps_the_ranking_the_opening_the_question_and_the_wards():
    parse = {
        "text": "get a porter to 4B bed 2?",
        "intent": {"name": "nlu_fallback", "confidence": 0.4},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "request_help", "confidence": 0.45},
        ],
        "entities": [
            {"entity": "help_type", "value": "porter", "start": 6, "end": 12},
            {"entity": "ward", "value": "4B", "start": 16, "end": 18},
            {"entity": "bed", "value": "2", "start": 19, "end": 24},
        ],
    }
    got = reading_of(parse)
    assert got is not None and got.intent is None
    assert got.ranking == (("nlu_fallback", 0.4), ("request_help", 0.45))
    assert got.opens_with == "help_type" and got.question
    assert got.wards == ("4B",) and got.bed_end == 24 and got.beds == ("bed 2",)
    statement = reading_of({**parse, "text": "porter to 4B bed 2 please", "entities": []})
    assert statement is not None and not statement.question and statement.opens_with is None
