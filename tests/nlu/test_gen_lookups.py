"""scripts/gen_lookups.py: NLU lookups and synonyms generated from the HMS directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from scripts import gen_lookups as gen
from tests.require import need_module

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_lookups.py"


WARD = {
    "resourceType": "Location",
    "id": "ward-4b",
    "name": "Ward 4B",
    "alias": ["Medical 4B"],
    "identifier": [{"system": "urn:hms:ward", "value": "4B"}],
}
BED = {
    "resourceType": "Location",
    "id": "bed-4b-01",
    "type": [
        {"coding": [{"system": "urn:hms:bed-feature", "code": "side-room", "display": "Side room"}]}
    ],
}
SERVICE = {
    "resourceType": "HealthcareService",
    "id": "svc-ent",
    "name": "ENT Clinic",
    "type": [{"coding": [{"system": "urn:hms:service-type", "code": "ent"}]}],
}
PRAC = {
    "resourceType": "Practitioner",
    "id": "prac-dr-patel",
    "identifier": [{"system": "urn:hms:staff", "value": "dr.patel"}],
    "name": [{"family": "Patel", "given": ["Raj"], "prefix": ["Dr"]}],
}
NURSE = {
    "resourceType": "Practitioner",
    "id": "prac-n-jones",
    "identifier": [{"system": "urn:hms:staff", "value": "n.jones"}],
    "name": [{"family": "Jones", "given": ["Nia"]}],
}


def _role(prac: str, code: str) -> dict:
    return {
        "resourceType": "PractitionerRole",
        "practitioner": {"reference": f"Practitioner/{prac}"},
        "code": [{"coding": [{"system": "urn:hms:role", "code": code}]}],
    }


def _directory():
    return gen.directory_from_resources(
        wards=[WARD],
        beds=[BED],
        services=[SERVICE],
        roles=[_role("prac-dr-patel", "clinician"), _role("prac-n-jones", "nurse")],
        practitioners=[PRAC, NURSE],
    )


def _synonyms(text: str) -> dict[str, set[str]]:
    data = yaml.safe_load(text)
    return {
        str(b["synonym"]): {ln.strip()[2:] for ln in b["examples"].splitlines()}
        for b in data["nlu"]
        if "synonym" in b
    }


def test_gen_lookups_reads_directory_from_fhir_resources() -> None:
    directory = _directory()
    assert [w.code for w in directory.wards] == ["4B"]
    assert [c.username for c in directory.clinicians] == ["dr.patel"]  # nurses left out
    assert [f.code for f in directory.features] == ["side-room"]
    assert directory.services[0].code == "ent"


def test_gen_lookups_maps_spoken_and_written_forms_to_codes() -> None:
    synonyms = _synonyms(gen.render(_directory()))
    assert {"four b", "ward four b", "medical 4b", "med 4b", "medical four b"} <= synonyms["4B"]
    assert {"dr patel", "doctor raj patel"} <= synonyms["dr.patel"]
    assert {"ent clinic", "ear nose and throat"} <= synonyms["ent"]
    assert {"side room", "sideroom"} <= synonyms["side-room"]


def test_gen_lookups_output_is_marked_generated() -> None:
    text = gen.render(_directory())
    assert text.startswith("# GENERATED - DO NOT EDIT")
    lookups = {b["lookup"] for b in yaml.safe_load(text)["nlu"] if "lookup" in b}
    assert lookups == {"ward", "department", "clinician", "bed_type"}


def test_gen_lookups_committed_file_matches_seed() -> None:
    need_module("hms.seed", "the reference HMS seed (hms.seed)")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--from-seed", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
