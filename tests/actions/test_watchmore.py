"""Right after a watch for anywhere, a ward said alone narrows it; "and one on 7C too" adds one."""

from __future__ import annotations

from typing import Any

import pytest

from actions.fallback import ActionFallback
from actions.services import set_services
from actions.state import Turn
from actions.watches import ActionWatchBedAvailability
from actions.watchmore import another_watch, narrowed_to
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services() -> Any:
    svc = make_services()
    set_services(svc)
    return svc


def said(text: str, last: dict | None = None, ward: str | None = "7C"):
    entities = []
    if ward and ward in text:
        start = text.index(ward)
        entities = [{"entity": "ward", "value": ward, "start": start, "end": start + len(ward)}]
    slots = {"last_task": last} if last else {}
    return tracker("b.okoro", intent="nlu_fallback", text=text, entities=entities, slots=slots)


ANYWHERE = {"intent": "watch_bed_availability", "slots": {"bed_type": "isolation"}, "watch_id": 1}


@pytest.mark.parametrize(
    ("text", "narrowed"),
    [
        ("on 7C", {"ward": "7C"}),
        ("7C", {"ward": "7C"}),
        ("just 7C please", {"ward": "7C"}),
        ("is there one on 7C?", None),
        ("and one on 7C too", None),
    ],
)
def test_watchmore_a_ward_alone_narrows_a_watch_for_anywhere(text, narrowed):
    assert narrowed_to(ANYWHERE, Turn.of(said(text))) == narrowed


def test_watchmore_a_ward_alone_leaves_a_watch_on_a_ward():
    on_4b = {**ANYWHERE, "slots": {"ward": "4B"}}
    assert narrowed_to(on_4b, Turn.of(said("on 7C"))) is None


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("and one on 7C too", {"bed_type": "isolation", "ward": "7C"}),
        ("also 7C", {"bed_type": "isolation", "ward": "7C"}),
        ("7C as well", {"bed_type": "isolation", "ward": "7C"}),
        ("on 7C", None),
        ("and is there one free on 7C now?", None),
    ],
)
def test_watchmore_and_one_on_a_ward_too_is_another_watch(text, more):
    found = another_watch(ANYWHERE, Turn.of(said(text)))
    assert found == (("watch_bed_availability", more) if more else None)


async def test_watchmore_on_a_ward_after_a_watch_for_anywhere_moves_it_there(services, watches):
    # "let me know when an isolation bed frees up", then "on 7C": "Sorry, I didn't get that"
    first = tracker("b.okoro", intent="watch_bed_availability", slots={"bed_type": "isolation"})
    _, events = await run(ActionWatchBedAvailability(), first)
    last = next(e["value"] for e in events if e.get("name") == "last_task")
    messages, _ = await run(ActionFallback(), said("on 7C", last))
    assert [m["custom"]["kind"] for m in messages] == ["watch_bed_availability_success"]
    assert [(w.ward_code, w.feature) for w in watches.active("b.okoro")] == [("7C", "isolation")]
    # then "and one on 4B too": a second watch, the first kept
    after = next(e["value"] for e in _ if e.get("name") == "last_task")
    messages, _ = await run(ActionFallback(), said("and one on 4B too", after, ward="4B"))
    assert "watch_bed_availability_success" in [m["custom"]["kind"] for m in messages]
    assert sorted(w.ward_code for w in watches.active("b.okoro")) == ["4B", "7C"]
