"""Form questions: asked at most twice in a row, then a choice."""

from __future__ import annotations

import pytest

from actions.asks import ask_action
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("misses", "kind"), [(None, "ask_time"), ("time:1", "ask_time"), ("time:2", "choose_time")]
)
async def test_asks_a_question_is_asked_twice_then_turned_into_a_choice(misses, kind):
    # the same "When would suit?" a third time in a row was the question asked thrice
    trk = tracker("n.jones", intent="inform", slots={"misses": misses})
    messages, _ = await run(ask_action("time")(), trk)
    assert [m["custom"]["kind"] for m in messages] == [kind]
    if kind.startswith("choose_"):
        payloads = [b["payload"] for b in messages[0]["buttons"]]
        assert "/stop" in payloads and "/talk_to_human" in payloads
