"""Two help requests in one message: the first taken now, the second held for after it."""

from __future__ import annotations

import pytest

from actions.anotherhelp import first_of_two
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import _bed, make_services, tracker
from tests.actions.test_forms import kinds, validate


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    have = {b.label for b in svc.hms.beds}
    svc.hms.beds += [_bed("4B", n, "U") for n in range(1, 31) if f"4B Bed {n}" not in have]
    set_services(svc)
    return svc


SAID = "porter for bed 5 and IT for the ward printer"
ENTITIES = [
    {"entity": "help_type", "value": "porter", "start": 0, "end": 6},
    {"entity": "bed", "value": "5", "start": 15, "end": 16},
    {"entity": "help_type", "value": "it", "start": 21, "end": 23},
]


async def test_anotherhelp_porter_and_it_in_one_message_files_the_porter_and_holds_it():
    # n.jones "porter for bed 5 and IT for the ward printer" -> "Done: your IT request for
    # 4B bed 5" - the porter request was lost, the IT one sent to bed 5
    slots, messages, _ = await validate(
        "request_help_form",
        set_now={"help_type": "it", "bed": "5"},
        requested=None,
        intent="request_help",
        text=SAID,
        entities=ENTITIES,
    )
    assert slots["help_type"] == "porter" and slots["bed"] == "5"
    held = [m for m in messages if (m.get("custom") or {}).get("kind") == "request_held"]
    assert held and held[0]["custom"]["data"] == {"clause": "IT for the ward printer"}
    assert "unknown_ward" not in kinds(messages)


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("porter and wheelchair to bed 5", [("help_type", "porter", 0, 6)]),
        # one kind said twice is one request
        (
            "porter please, porter for bed 5",
            [("help_type", "porter", 0, 6), ("help_type", "porter", 15, 21)],
        ),
    ],
)
def test_anotherhelp_one_kind_of_help_is_one_request(text, entities):
    tagged = [{"entity": e, "value": v, "start": a, "end": b} for e, v, a, b in entities]
    trk = tracker("n.jones", intent="request_help", text=text, entities=tagged)
    assert first_of_two(Turn.of(trk)) is None


def test_anotherhelp_the_first_of_two_keeps_its_own_words_and_entities():
    trk = tracker("n.jones", intent="request_help", text=SAID, entities=ENTITIES)
    first, held = first_of_two(Turn.of(trk)) or (None, "")
    assert first is not None and first.text == "porter for bed 5"
    assert [e["value"] for e in first.entities] == ["porter", "5"]
    assert held == "IT for the ward printer"
