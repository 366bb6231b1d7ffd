"""The same bed watch again is extended, not doubled; a ward corrected right after moves it."""

from __future__ import annotations

from typing import Any

import pytest

from actions.fallback import ActionFallback
from actions.services import set_services
from actions.state import Turn
from actions.watches import ActionWatchBedAvailability
from actions.watchmove import moved_to
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services() -> Any:
    svc = make_services()
    set_services(svc)
    return svc


def watch(ward: str):
    return tracker("n.jones", intent="watch_bed_availability", slots={"ward": ward})


def last_task(events: list[dict]) -> dict:
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == "last_task")


async def test_watch_the_same_watch_twice_is_extended_not_added(services, watches):
    await run(ActionWatchBedAvailability(), watch("4B"))
    messages, _ = await run(ActionWatchBedAvailability(), watch("4B"))
    [reply] = messages
    assert reply["custom"]["data"]["extended"] is True and "already watching" in reply["text"]
    assert [w.ward_code for w in watches.active("n.jones")] == ["4B"]
    await run(ActionWatchBedAvailability(), watch("7C"))  # another ward: a watch of its own
    assert [w.ward_code for w in watches.active("n.jones")] == ["4B", "7C"]


def after_watch(text: str, last: dict, entities: list[dict] | None = None):
    return tracker(
        "n.jones", intent="nlu_fallback", text=text, slots={"last_task": last}, entities=entities
    )


@pytest.mark.parametrize(
    "text, moved",
    [
        ("actually make that 7C", {"ward": "7C"}),
        ("change that to 7C", {"ward": "7C"}),
        ("no, 7C", {"ward": "7C"}),
        ("sorry I meant ward 7C", {"ward": "7C"}),
        ("actually make that a side room", {"bed_type": "side room"}),
        ("no thanks", None),
        ("actually any free beds on 7C?", None),
        ("cancel that alert", None),
    ],
)
def test_watchmove_reads_a_correction_right_after_a_watch(text, moved):
    trk = after_watch(text, {"intent": "watch_bed_availability", "slots": {"ward": "4B"}})
    assert moved_to(trk, Turn.of(trk)) == moved


async def test_watchmove_a_ward_corrected_right_after_moves_the_watch(services, watches):
    _, events = await run(ActionWatchBedAvailability(), watch("4B"))
    messages, moved = await run(
        ActionFallback(), after_watch("actually make that 7C", last_task(events))
    )
    [reply] = messages
    assert reply["custom"]["kind"] == "watch_bed_availability_success"
    assert reply["text"].startswith("Cancelled the watch for a bed on 4B.")
    assert [w.ward_code for w in watches.active("n.jones")] == ["7C"]
    assert services.audit.events[-1].action == "action_move_bed_watch"
    assert last_task(moved)["slots"] == {"ward": "7C"}  # "no, 4B after all" moves it again
