"""'<help> for <ward> bed N' is a help request for every ward code, whatever NLU ranked."""

from __future__ import annotations

import pytest

from actions.fallback import help_at_a_place
from actions.state import Turn
from hms.seed_data import WARDS
from tests.actions.fakes import tracker

HELP_TYPES = ("porter", "housekeeping", "IT", "maintenance")
READ_AS = ("cancel_help_request", "check_bed_availability", "update_bed_status", "inform")


def said(text: str, intent: str, **values: str) -> Turn:
    entities = []
    for entity, value in values.items():
        start = text.index(value)
        entities.append(
            {"entity": entity, "value": value, "start": start, "end": start + len(value)}
        )
    return Turn.of(tracker("h.lee", intent=intent, text=text, entities=entities))


@pytest.mark.parametrize("code", [code for code, *_ in WARDS])
@pytest.mark.parametrize("help_type", HELP_TYPES)
def test_help_request_for_a_bed_on_any_ward_code_is_a_help_request(code, help_type):
    for template in ("{h} for {w} bed 3", "{h} needed on {w} bed 3 please", "{h} to {w}"):
        text = template.format(h=help_type, w=code)
        values = {"help_type": help_type, "ward": code}
        if "bed 3" in text:
            values["bed"] = "3"
        for intent in READ_AS:
            assert help_at_a_place(said(text, intent, **values)), (text, intent)


@pytest.mark.parametrize(
    "text, values",
    [
        ("cancel the porter for 7 bed 3", {"help_type": "porter", "ward": "7", "bed": "3"}),
        ("is the porter for MAT bed 3 coming?", {"help_type": "porter", "ward": "MAT"}),
        ("any free beds on ICU", {"ward": "ICU"}),
        ("porter please", {"help_type": "porter"}),  # no place: only_names' case
        # a status said last: a bed change (NLU tags "cleaning" as a kind of help)
        (
            "HDU bed 9 and CCU bed 1 need cleaning",
            {"ward": "HDU", "bed": "9", "help_type": "cleaning"},
        ),
        (
            "porter for Kerry Demir on 4B",
            {"help_type": "porter", "ward": "4B", "patient_name": "Kerry Demir"},
        ),
    ],
)
def test_help_request_other_words_leave_nlus_reading(text, values):
    assert not help_at_a_place(said(text, "cancel_help_request", **values))
