"""The intent catalog and its cross-checks (``python -m intents.validate``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from intents.catalog import CatalogError, check_consistency, load_catalog
from intents.generate import domain, render, rules
from intents.generate import main as generate_main
from intents.validate import Report, check_actions, policy_permissions, read_nlu, validate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the parts of the repository the validator reads."""
    parts = (
        "intents/catalog.yml",
        "training_data/nlu",
        "training_data/rules.yml",
        "domain",
        "assistant/rbac/policy.yml",
    )
    for part in parts:
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


def test_catalog_task_intents_have_action_label_and_known_slots() -> None:
    catalog = load_catalog()
    assert all(i.action == f"action_{i.name}" and i.label for i in catalog.tasks())
    for form in catalog.all_forms():
        assert set(form.required) <= set(catalog.slot_names())


def test_catalog_phi_intents_need_a_permission() -> None:
    catalog = load_catalog()
    assert {i.name for i in catalog.intents if i.phi} == {
        "book_appointment",
        "cancel_appointment",
        "reschedule_appointment",
        "list_appointments",
        "list_clinic_appointments",
        "list_ward_patients",
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


def test_validate_reports_stale_generated_files(repo: Path) -> None:
    rules_file = repo / "training_data/rules.yml"
    rules_file.write_text(rules_file.read_text().replace("action_new_request", "action_x", 1))
    report = validate(repo, check_action_package=False)
    assert "generated: training_data/rules.yml is out of date (python -m intents generate)" in (
        report.errors
    )


def test_generate_check_fails_on_drift_and_generate_repairs_it(repo: Path) -> None:
    generated = repo / "domain/catalog.yml"
    generated.write_text(generated.read_text() + "# hand edit\n")
    assert generate_main(["--root", str(repo), "--check"]) == 1
    assert generate_main(["--root", str(repo)]) == 0
    assert generate_main(["--root", str(repo), "--check"]) == 0


def test_generated_files_in_the_repository_are_current() -> None:
    for rel, text in render(load_catalog()).items():
        assert (ROOT / rel).read_text() == text, f"{rel}: run python -m intents generate"


def test_generate_new_intent_gets_rules_slots_and_digressions(tmp_path: Path) -> None:
    """Adding an intent to the catalog is enough for the dialogue to route it."""
    data = yaml.safe_load((ROOT / "intents/catalog.yml").read_text())
    data["intents"].insert(
        0,
        {
            "name": "order_meal",
            "kind": "task",
            "label": "Order a meal",
            "description": "Order a patient meal.",
            "permission": "help:request",
            "entities": ["ward"],
            "action": "action_order_meal",
            "form": {"required": ["ward"], "resume": "the meal order"},
            "example": "order a meal for 4B",
        },
    )
    path = tmp_path / "catalog.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    catalog = load_catalog(path)
    assert check_consistency(catalog) == []
    dom, out = domain(catalog), rules(catalog)["rules"]
    assert "order_meal" in dom["intents"] and "order_meal_form" in dom["forms"]
    assert "validate_order_meal_form" in dom["actions"] and "action_ask_ward" in dom["actions"]
    ward = dom["slots"]["ward"]["mappings"]
    assert "order_meal" in ward[0]["intent"]  # its entities fill its slots
    assert any(
        m.get("conditions") == [{"active_loop": "order_meal_form", "requested_slot": "ward"}]
        for m in ward
    )
    names = [r["rule"] for r in out]
    assert "order_meal: a new request" in names
    assert "order_meal while book_appointment_form waits: served, then offered to resume" in names
    assert "book_appointment while order_meal_form waits: served, then offered to resume" in names
    assert "order_meal_form complete: action_order_meal" in names


def test_generated_not_intent_lists_leave_only_answers() -> None:
    catalog = load_catalog()
    slots = domain(catalog)["slots"]
    texts = [m for m in slots["mrn"]["mappings"] if m["type"] == "from_text"]
    assert texts and all(set(m["not_intent"]) == set(catalog.names()) - {"inform"} for m in texts)
    [free] = [m for m in slots["help_description"]["mappings"] if m["type"] == "from_text"]
    assert free["not_intent"] == ["emergency", "stop"]
    for name in ("slot_id", "appointment_id", "confirmed", "offered", "breakglass_patient"):
        assert slots[name]["mappings"] == [{"type": "custom"}], name  # set by actions only


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


def test_generated_record_slots_are_set_by_actions_only() -> None:
    """No user message or button payload can set a slot naming a record: a payload like
    /affirm{"appointment_id": ...} fills nothing; identifying entities fill their slots only
    for the intents that carry them (never for yes/no/stop)."""
    catalog = load_catalog()
    slots = domain(catalog)["slots"]
    for name in (
        "slot_id",
        "appointment_id",
        "offered",
        "confirmed",
        "breakglass_patient",
        "pending",
        "stash",
    ):
        assert slots[name]["mappings"] == [{"type": "custom"}], name
    for name in ("patient_name", "mrn", "ticket_id"):
        for mapping in slots[name]["mappings"]:
            if mapping["type"] == "from_entity":
                assert not {"affirm", "deny", "stop"} & set(mapping["intent"]), (name, mapping)


def test_validate_action_package_that_cannot_be_imported_is_an_error() -> None:
    report = Report()
    check_actions(load_catalog(), report, package="no_such_actions_package")
    assert report.errors and "cannot import 'no_such_actions_package'" in report.errors[0]
