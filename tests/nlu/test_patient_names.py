"""The trained model tags a patient's name typed in lower case in a patient task
(``nlu_components/patient_names.py``), and nothing in other tasks or in typing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.nlu.test_heldout import predict_texts

pytestmark = pytest.mark.rasa

SAID = {
    # the CRF tagged no name in each, and the name was asked again
    "where is emily lloyd": ["emily lloyd"],
    "appointments for arjun johnson": ["arjun johnson"],
    "cancel hamza campbell's appointment": ["hamza campbell"],
    # a capitalised name stays the CRF's; typing and other tasks get no name
    "where is Emily Lloyd": ["Emily Lloyd"],
    "book an apointmnet tomorow": [],
    "free beds on 4b": [],
}


def test_patient_names_lower_case_names_are_tagged_in_patient_tasks_only(tmp_path: Path):
    names = {
        p["text"]: sorted(e["value"] for e in p["entities"] if e["entity"] == "patient_name")
        for p in predict_texts(tmp_path, SAID)
    }
    assert names == {text: sorted(expected) for text, expected in SAID.items()}
