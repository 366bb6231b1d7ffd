"""Reading the kind of help from a description that never names it."""

from __future__ import annotations

import pytest

from actions.help import infer_help_type, infer_urgency


@pytest.mark.parametrize(
    "text",
    [
        "move patient from 4B to radiology, not urgent",
        "move the patient in bed 5 to x-ray",
        "take the patient down to MRI",
        "can someone take patient to radiology",
        "patient needs taking to the discharge lounge",
    ],
)
def test_infer_help_type_reads_patient_moves_as_porter(text):
    assert infer_help_type(text) == "porter"


def test_infer_help_type_keeps_other_kinds_and_unknowns():
    assert infer_help_type("the printer on 4B is jammed") == "it"
    assert infer_help_type("spill in the corridor") == "housekeeping"
    assert infer_help_type("please call me back") is None


def test_infer_urgency_reads_not_urgent_as_routine_in_a_move_request():
    assert infer_urgency("move patient from 4B to radiology, not urgent") == "routine"


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("not routine, urgent", "urgent"),
        ("urgent not routine", "urgent"),
        ("it's not routine", "urgent"),
        ("stat, not routine", "stat"),
        ("routine", "routine"),
        ("not urgent", "routine"),
    ],
)
def test_infer_urgency_a_routine_denied_is_urgent(text, urgency):
    # "not routine, urgent" right after a routine request was read as routine
    assert infer_urgency(text) == urgency
