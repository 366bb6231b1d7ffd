"""The trained NLU model on the held-out set (tests/nlu/heldout.yml, never trained on).

The model is ``$RASA_MODEL`` or the newest ``models/*.tar.gz``; it is loaded once in the
Rasa environment by ``bench/nlu/predict.py``. Floors are the measured figures minus a margin
(see bench/nlu/results.md).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.require import missing

pytestmark = pytest.mark.rasa
ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
ACCURACY_FLOOR = 0.93
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def _model() -> Path | None:
    if os.environ.get("RASA_MODEL"):
        return Path(os.environ["RASA_MODEL"])
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def predict(data: Path) -> list[dict[str, Any]]:
    """The newest (or ``$RASA_MODEL``) model's predictions on an NLU data file, parsed in
    the Rasa environment by ``bench/nlu/predict.py``."""
    model = _model()
    if model is None or not model.exists():
        missing("a trained Rasa model", "set RASA_MODEL or run `make model`")
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")
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
    return json.loads(proc.stdout)["predictions"]


def predict_texts(folder: Path, texts: Iterable[str]) -> list[dict[str, Any]]:
    """The model's predictions on these messages (written as one NLU data file)."""
    data = folder / "said.yml"
    lines = "\n".join(f"      - {text}" for text in texts)
    data.write_text(f'version: "3.1"\nnlu:\n  - intent: inform\n    examples: |\n{lines}\n')
    return predict(data)


@pytest.fixture(scope="module")
def predictions() -> list[dict[str, Any]]:
    return predict(HELDOUT)


def _texts(path: Path) -> set[str]:
    texts: set[str] = set()
    for file in [path] if path.is_file() else sorted(path.glob("*.yml")):
        for block in (yaml.safe_load(file.read_text()) or {}).get("nlu") or []:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- ") and "intent" in block:
                    texts.add(_ANNOTATION.sub(r"\1", line.strip()[2:]).lower())
    return texts


def test_heldout_shares_no_example_with_training_data() -> None:
    overlap = _texts(HELDOUT) & _texts(ROOT / "training_data" / "nlu")
    assert overlap == set()


def test_heldout_intent_accuracy_above_floor(predictions: list[dict[str, Any]]) -> None:
    correct = [p for p in predictions if p["top_non_fallback"] == p["intent"]]
    accuracy = len(correct) / len(predictions)
    wrong = [f"{p['intent']} -> {p['top_non_fallback']}" for p in predictions if p not in correct]
    assert accuracy >= ACCURACY_FLOOR, f"accuracy {accuracy:.3f}; errors: {wrong}"


def test_heldout_emergency_never_misclassified(predictions: list[dict[str, Any]]) -> None:
    emergencies = [p for p in predictions if p["intent"] == "emergency"]
    assert len(emergencies) >= 10
    missed = [
        (p["predicted"], round(p["confidence"], 2))
        for p in emergencies
        if p["predicted"] != "emergency"
    ]
    assert missed == []
