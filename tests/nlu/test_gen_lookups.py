"""scripts/gen_lookups.py: NLU lookups and synonyms generated from the HMS directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
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


def _bundle(entries: list[tuple[dict, str]], next_url: str | None = None) -> dict:
    bundle: dict = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r, "search": {"mode": mode}} for r, mode in entries],
    }
    if next_url:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


def test_gen_lookups_reads_the_api_through_the_fhir_transport_following_next_links() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.path}?{request.url.query.decode()}")
        assert request.headers["Authorization"] == "Bearer tok"
        path, params = request.url.path.rsplit("/", 1)[-1], request.url.params
        if path == "PractitionerRole":
            body = _bundle([(_role("prac-dr-patel", "clinician"), "match"), (PRAC, "include")])
        elif path == "Location" and params.get("physical-type") == "wa":
            body = _bundle([], "http://hms.test/fhir/R4/Location?page=2")
        elif path == "Location" and params.get("page") == "2":
            body = _bundle([(WARD, "match")])
        elif path == "Location":
            body = _bundle([(BED, "match")])
        else:
            body = _bundle([(SERVICE, "match")])
        return httpx.Response(200, json=body)

    directory = gen.fetch_from_api(
        "http://hms.test/fhir/R4", "tok", transport=httpx.MockTransport(answer)
    )
    assert [w.code for w in directory.wards] == ["4B"]  # from the second page
    assert [c.username for c in directory.clinicians] == ["dr.patel"]  # from _include
    assert [f.code for f in directory.features] == ["side-room"]
    assert [s.code for s in directory.services] == ["ent"]
    assert "/fhir/R4/Location?page=2" in seen


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
