"""The trained model tags the hospital's wards however they are written
(``nlu_components/directory_entities.py``): lower-case codes the CRF missed, and never an
ordinary word that is also a ward's other name."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.nlu.test_heldout import RASA_PY, ROOT, _model
from tests.require import missing

pytestmark = pytest.mark.rasa

SAID = {
    # the CRF tagged no ward in each (a watch over the whole hospital, a fallback)
    "let me know when a bed frees up on ccu": ["CCU"],
    "watch for a bed on hdu": ["HDU"],
    "beds closed on hdu": ["HDU"],
    "and hdu?": ["HDU"],
    # the CRF tagged only HDU: each bed is changed on the ward said with it
    "close HDU bed 12 and ccu bed 10": ["HDU", "CCU"],
    # words that are also a ward's other name stay words
    "the mat in bay 3 is wet": [],
    "is this an emergency or not": [],
}


def test_directory_entities_lower_case_wards_are_tagged_and_plain_words_are_not(tmp_path: Path):
    model = _model()
    if model is None or not model.exists():
        missing("a trained Rasa model", "set RASA_MODEL or run `make model`")
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")
    data = tmp_path / "said.yml"
    lines = "\n".join(f"      - {text}" for text in SAID)
    data.write_text(f'version: "3.1"\nnlu:\n  - intent: inform\n    examples: |\n{lines}\n')
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [str(RASA_PY), "bench/nlu/predict.py", "--model", str(model), "--data", str(data)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    wards = {
        p["text"]: sorted(e["value"] for e in p["entities"] if e["entity"] == "ward")
        for p in json.loads(proc.stdout)["predictions"]
    }
    assert wards == {text: sorted(expected) for text, expected in SAID.items()}
