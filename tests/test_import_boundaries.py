"""The layering of docs/architecture.md, enforced: import-linter's contracts in ``.importlinter``.

Only the channels import Slack or audio libraries; actions and the HMS client know no
channel; the reference HMS imports nothing of the assistant. ``lint-imports`` lives in the
tools environment (``.venv-tools``, requirements/tools.in), like the other CI gates.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.require import missing

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = ROOT / ".venv-tools" / "bin" / "lint-imports"
PACKAGES = ("assistant", "actions", "hms", "intents", "phi_filter", "dbkit", "rasa_ext")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        missing("import-linter (.venv-tools)", "run `bash scripts/lint.sh imports`")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_boundaries_every_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


def test_import_boundaries_a_slack_import_in_actions_breaks_the_contract(tmp_path):
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "static")
        )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    beds = tmp_path / "actions" / "beds.py"
    beds.write_text(beds.read_text() + "\nimport slack_sdk  # a deliberate violation\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "Only the channels import Slack or audio libraries BROKEN" in result.stdout
    assert "actions.beds -> slack_sdk" in result.stdout
