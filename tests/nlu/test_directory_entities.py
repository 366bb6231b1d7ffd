"""The trained model tags the hospital's wards however they are written
(``nlu_components/directory_entities.py``): lower-case codes the CRF missed, and never an
ordinary word that is also a ward's other name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.nlu.test_heldout import predict_texts

pytestmark = pytest.mark.rasa

SAID = {
    # the CRF tagged no ward in each (a watch over the whole hospital, a fallback)
    "let me know when a bed frees up on ccu": ["CCU"],
    "watch for a bed on hdu": ["HDU"],
    "beds closed on hdu": ["HDU"],
    "and hdu?": ["HDU"],
    # the CRF tagged only HDU: each bed is changed on the ward said with it
    "close HDU bed 12 and ccu bed 10": ["HDU", "CCU"],
    # a short code of letters and digits at the start, where the CRF has no context
    "4b bed 3 done": ["4B"],
    # words that are also a ward's other name stay words
    "the mat in bay 3 is wet": [],
    "is this an emergency or not": [],
}


def test_directory_entities_lower_case_wards_are_tagged_and_plain_words_are_not(tmp_path: Path):
    wards = {
        p["text"]: sorted(e["value"] for e in p["entities"] if e["entity"] == "ward")
        for p in predict_texts(tmp_path, SAID)
    }
    assert wards == {text: sorted(expected) for text, expected in SAID.items()}
