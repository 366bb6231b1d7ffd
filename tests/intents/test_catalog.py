"""The intent catalog and its cross-checks (``python -m intents.validate``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from intents.catalog import (
    CONVERSATION_INTENTS,
    TASK_INTENTS,
    CatalogError,
    check_consistency,
    load_catalog,
)
from intents.validate import policy_permissions, read_nlu, validate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the parts of the repository the validator reads."""
    for part in ("intents/catalog.yml", "training_data/nlu", "domain", "assistant/rbac/policy.yml"):
        src, dst = ROOT / part, tmp_path / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy(src, dst)
    return tmp_path


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_catalog_validates_against_repository() -> None:
    report = validate(ROOT)
    assert report.errors == [], "\n".join(report.errors)


def test_catalog_lists_every_fixed_intent_once() -> None:
    catalog = load_catalog()
    assert sorted(catalog.names()) == sorted(TASK_INTENTS + CONVERSATION_INTENTS)
    assert all(i.action == f"action_{i.name}" for i in catalog.tasks())


def test_catalog_phi_intents_need_a_permission() -> None:
    catalog = load_catalog()
    assert {i.name for i in catalog.intents if i.phi} == {
        "book_appointment",
        "cancel_appointment",
        "reschedule_appointment",
        "list_appointments",
        "find_patient",
    }
    assert check_consistency(catalog) == []


def test_check_consistency_rejects_wrong_action_name() -> None:
    catalog = load_catalog()
    bad = replace(catalog.get("find_patient"), action="action_locate")
    changed = replace(
        catalog, intents=tuple(bad if i.name == "find_patient" else i for i in catalog.intents)
    )
    assert any("action_find_patient" in p for p in check_consistency(changed))


def test_load_catalog_rejects_malformed_file(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yml"
    path.write_text("intents:\n  - name: greet\n")
    with pytest.raises(CatalogError, match="missing field"):
        load_catalog(path)


def test_validate_reports_too_few_examples(repo: Path) -> None:
    def drop(data):
        for block in data["nlu"]:
            if block.get("intent") == "find_patient":
                block["examples"] = "- where is Jane Doe\n"

    _edit_yaml(repo / "training_data/nlu/patients.yml", drop)
    report = validate(repo, check_action_package=False)
    assert any("find_patient has 1 examples, needs at least 40" in e for e in report.errors)


def test_validate_reports_permission_missing_from_policy(repo: Path) -> None:
    def revoke(data):
        for role in data["roles"].values():
            role["permissions"] = [p for p in role["permissions"] if p != "beds:update"]

    _edit_yaml(repo / "assistant/rbac/policy.yml", revoke)
    report = validate(repo, check_action_package=False)
    assert any("'beds:update'" in e and "update_bed_status" in e for e in report.errors)


def test_validate_reports_intent_missing_from_domain(repo: Path) -> None:
    def remove(data):
        data["intents"] = [i for i in data["intents"] if i != "find_patient"]

    _edit_yaml(repo / "domain/nlu.yml", remove)
    report = validate(repo, check_action_package=False)
    assert "domain: intent 'find_patient' is not listed in domain/" in report.errors


def test_validate_reports_undeclared_entity_annotation(repo: Path) -> None:
    extra = repo / "training_data/nlu/extra.yml"
    extra.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello from [ICU](ward)\n'
    )
    report = validate(repo, check_action_package=False)
    assert any("greet examples annotate ['ward']" in e for e in report.errors)


def test_read_nlu_counts_plain_and_json_annotations(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n'
        '    - [IT]{"entity": "help_type", "value": "it"}\n    - bed [6](bed)\n'
    )
    data = read_nlu(tmp_path)
    assert data.counts["inform"] == 2
    assert data.entities["inform"] == {"help_type", "bed"}


def test_policy_permissions_reads_roles_shape(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("roles:\n  nurse:\n    permissions: [beds:read]\n  porter: {}\n")
    assert policy_permissions(path) == {"beds:read"}


def test_validate_cli_exits_nonzero_with_message(repo: Path) -> None:
    (repo / "assistant/rbac/policy.yml").unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "intents.validate", "--root", str(repo), "--skip-actions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "ERROR: policy:" in proc.stderr
