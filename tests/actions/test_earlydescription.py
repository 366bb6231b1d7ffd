"""A help request's description said early, read by NLU as out of scope."""

from __future__ import annotations

import pytest

from actions.fallback import ActionOutOfScope
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


def out_of_scope(text: str, **slots) -> object:
    held = {"help_type": "porter", "ward": "4B", "bed": "5", "requested_slot": "urgency"}
    return tracker(
        intent="out_of_scope",
        text=text,
        slots={**held, **slots},
        active_loop="request_help_form",
    )


async def test_earlydescription_a_job_described_while_urgency_is_asked_is_kept():
    messages, events = await run(ActionOutOfScope(), out_of_scope("hes going to xray, wheelchair"))
    assert [m["custom"]["kind"] for m in messages] == ["slot_noted"]
    kept = [e["value"] for e in events if e.get("name") == "help_description"]
    assert kept == ["hes going to xray, wheelchair"]


@pytest.mark.parametrize(
    "text",
    ["what's the wifi password?", "asdfgh", "lol"],
)
async def test_earlydescription_a_question_or_nonsense_stays_out_of_scope(text):
    messages, events = await run(ActionOutOfScope(), out_of_scope(text))
    assert "slot_noted" not in [m["custom"]["kind"] for m in messages]
    assert not [e for e in events if e.get("name") == "help_description"]


async def test_earlydescription_a_description_held_already_is_not_replaced():
    trk = out_of_scope("hes going to xray, wheelchair", help_description="wheelchair to CT")
    messages, events = await run(ActionOutOfScope(), trk)
    assert not [e for e in events if e.get("name") == "help_description"]
