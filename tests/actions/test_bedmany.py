"""One bed change naming several beds: each bed on its own ward, or nothing changed."""

from __future__ import annotations

import pytest

from actions.bedplaces import places_said
from actions.beds import ActionUpdateBedStatus
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def _wards(text: str, *wards: str) -> list[tuple[str, int]]:
    return [(w, text.index(w)) for w in wards]


def status(services, label: str) -> str:
    return next(b.status for b in services.hms.beds if b.label == label)


def test_bedplaces_each_bed_takes_the_ward_said_with_it():
    text = "close HDU bed 12 and CCU bed 10"
    found = [(p.ward, p.bed) for p in places_said(text, _wards(text, "HDU", "CCU"))]
    assert found == [("HDU", "12"), ("CCU", "10")]


@pytest.mark.parametrize(
    "text, wards, expected",
    [
        ("close bed 3 and 4 on 4B", ("4B",), [("4B", "3"), ("4B", "4")]),
        ("close beds 3, 4 and 5 on 4B", ("4B",), [("4B", "3"), ("4B", "4"), ("4B", "5")]),
        ("close 4B-03 and 7C-2", (), [("4B", "3"), ("7C", "2")]),
        ("block 7 bed 20 and ICU bed 4", ("7", "ICU"), [("7", "20"), ("ICU", "4")]),
        # two wards, but which bed is on which cannot be told: no ward for either
        ("close bed 12 and bed 10 on HDU and CCU", ("HDU", "CCU"), [(None, "12"), (None, "10")]),
    ],
)
def test_bedplaces_lists_ids_and_unclear_wards(text, wards, expected):
    assert [(p.ward, p.bed) for p in places_said(text, _wards(text, *wards))] == expected


def change(text: str, slots: dict, entities: list[dict], user: str = "k.osei"):
    return tracker(user, intent="update_bed_status", text=text, slots=slots, entities=entities)


def _entities(text: str, *pairs: tuple[str, str]) -> list[dict]:
    out, at = [], 0
    for entity, value in pairs:
        start = text.index(value, at)
        out.append({"entity": entity, "value": value, "start": start, "end": start + len(value)})
        at = start + len(value)
    return out


async def test_bedmany_two_beds_two_wards_changes_each_and_never_a_mix(services):
    text = "close 4B bed 2 and 7C bed 1"
    entities = _entities(text, ("ward", "4B"), ("bed", "2"), ("ward", "7C"), ("bed", "1"))
    # the slots keep one of each: the old reading changed 7C bed 2, a bed nobody named
    slots = {"ward": "7C", "bed": "2", "bed_status": "closed"}
    before = status(services, "7C Bed 2")
    messages, _ = await run(ActionUpdateBedStatus(), change(text, slots, entities))
    assert [m["custom"]["data"]["label"] for m in messages] == ["4B Bed 2", "7C Bed 1"]
    assert status(services, "4B Bed 2") == "C" and status(services, "7C Bed 1") == "C"
    assert status(services, "7C Bed 2") == before


async def test_bedmany_unknown_bed_changes_nothing(services):
    text = "close 4B bed 2 and 7C bed 9"
    entities = _entities(text, ("ward", "4B"), ("bed", "2"), ("ward", "7C"), ("bed", "9"))
    slots = {"ward": "7C", "bed": "2", "bed_status": "closed"}
    messages, _ = await run(ActionUpdateBedStatus(), change(text, slots, entities))
    assert messages[-1]["custom"]["kind"] == "unknown_bed"
    assert status(services, "4B Bed 2") == "U"  # nothing half done


async def test_bedmany_unclear_wards_asks_and_changes_nothing(services):
    text = "close bed 2 and bed 1 on 4B and 7C"
    entities = _entities(text, ("bed", "2"), ("bed", "1"), ("ward", "4B"), ("ward", "7C"))
    slots = {"ward": "7C", "bed": "2", "bed_status": "closed"}
    messages, _ = await run(ActionUpdateBedStatus(), change(text, slots, entities))
    assert "Which ward" in messages[-1]["text"]
    assert [b.status for b in services.hms.beds] == ["O", "U", "U", "U", "H"]


async def test_bedmany_correction_in_one_message_is_one_bed(services):
    text = "close bed 2 on 4B, sorry I mean bed 3"
    entities = _entities(text, ("bed", "2"), ("ward", "4B"), ("bed", "3"))
    slots = {"ward": "4B", "bed": "3", "bed_status": "closed"}
    await run(ActionUpdateBedStatus(), change(text, slots, entities))
    assert status(services, "4B Bed 3") == "C" and status(services, "4B Bed 2") == "U"
