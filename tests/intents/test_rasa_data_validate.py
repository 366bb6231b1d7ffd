"""``rasa data validate`` on the domain, the training data and the config (CI gate).

Rasa's own validator (intents and responses used, stories and rules without conflicts,
config readable) runs in the Rasa environment with ``--fail-on-warnings``; the catalog's
cross-checks are in ``test_catalog.py``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.require import missing

pytestmark = pytest.mark.rasa  # runs Rasa itself: not in `make unit`, in `make test`

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


def test_rasa_data_validate_passes_without_warnings() -> None:
    if not RASA.exists():
        missing("the Rasa environment (.venv-rasa)")
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),  # config.yml names a component in nlu_components/
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    proc = subprocess.run(  # fixed argv, no shell
        [
            str(RASA),
            "data",
            "validate",
            "--fail-on-warnings",
            "--domain",
            "domain",
            "--data",
            "training_data",
            "--config",
            "config.yml",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
