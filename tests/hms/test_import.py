"""Pilot import: the faulty legacy CSV set and FHIR bundles, dry-run / commit / idempotency."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hms import models
from hms.config import HmsOptions, Systems
from hms.importer import run as run_module
from hms.importer.run import run_import

DATA = Path(__file__).resolve().parents[1] / "data"
LEGACY = sorted((DATA / "legacy").glob("*.csv"))
PILOT = DATA / "fhir" / "hms_pilot_collection.json"
TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 1, 9, 0)
TABLES = (
    models.Location,
    models.Practitioner,
    models.PractitionerRole,
    models.Patient,
    models.Encounter,
    models.Schedule,
    models.Slot,
    models.Appointment,
    models.BedEvent,
)


def counts(engine: Any) -> dict[str, int]:
    with Session(engine) as s:
        return {
            t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES
        }


def run(engine: Any, paths: list[Path], commit: bool, **kw: Any) -> dict[str, Any]:
    options = kw.pop("options", HmsOptions())
    reports = run_import(engine, paths, options, TZ, commit=commit, now=NOW, **kw)
    return {r.file: r for r in reports}


def reasons(report: Any) -> dict[str, str]:
    return {r.where: r.reason for r in report.rejected}


def test_import_dry_run_reconciles_legacy_csvs_and_changes_nothing(fresh_engine):
    before = counts(fresh_engine)
    reports = run(fresh_engine, LEGACY, commit=False)
    assert counts(fresh_engine) == before
    beds, staff = reports["wards_beds.csv"], reports["staff.csv"]
    patients, appts = reports["patients.csv"], reports["appointments.csv"]
    assert (beds.kind, beds.read, beds.valid) == ("beds", 14, 8)
    assert beds.create == {"Ward": 1, "Bed": 6} and beds.unchanged == {"Bed": 2}
    assert (staff.read, staff.valid) == (10, 5)
    assert staff.create == {"Practitioner": 4, "PractitionerRole": 6}
    assert staff.unchanged == {"Practitioner": 1}  # n.jones, already in the HMS
    assert (patients.read, patients.valid, patients.create) == (15, 6, {"Patient": 6})
    assert (appts.read, appts.valid) == (10, 4)
    assert appts.create == {"Appointment": 4, "Slot": 4, "Schedule": 1}
    for report in reports.values():
        assert report.mode == "dry-run" and not report.committed
        assert "would_create" in report.as_json()


def test_import_rejects_each_realistic_fault_with_its_reason(fresh_engine):
    reports = run(fresh_engine, LEGACY, commit=False)
    beds = reasons(reports["wards_beds.csv"])
    assert beds["row 8"] == "duplicate of row 7"
    assert "conflicting rows" in beds["row 9"] and "row 10" in beds["row 9"]
    assert "jacuzzi" in beds["row 11"] and "status" in beds["row 12"]
    assert beds["row 13"] == "unknown ward 9Z"
    staff = reasons(reports["staff.csv"])
    assert staff["row 7"] == "unknown ward 9Z"
    assert "surgeon" in staff["row 8"] and "another staff member" in staff["row 9"]
    assert staff["row 11"] == "duplicate of row 2"
    patients = reasons(reports["patients.csv"])
    for row in ("row 6", "row 7", "row 8"):  # 31/02/1980, month 13, "unknown"
        assert "birth_date is not a date" in patients[row]
    assert "plausible" in patients["row 9"]  # born in 2099
    assert "conflicting rows" in patients["row 12"] and "conflicting rows" in patients["row 13"]
    assert "HMS_MRN_PATTERN" in patients["row 14"] and "family" in patients["row 15"]
    appts = reasons(reports["appointments.csv"])
    assert appts["row 4"].startswith("conflicting booking")
    assert "past" in appts["row 6"] and "dr.nobody" in appts["row 7"]
    assert "podiatry" in appts["row 8"] and "unknown patient" in appts["row 9"]
    assert "not a date and time" in appts["row 10"]
    for report in reports.values():  # reasons never repeat a patient's name
        assert not any("Jansen" in r.reason or "Evans" in r.reason for r in report.rejected)


def test_import_commit_writes_valid_rows_and_second_run_creates_nothing(fresh_engine):
    before = counts(fresh_engine)
    first = run(fresh_engine, LEGACY, commit=True)
    assert all(r.committed and r.error is None for r in first.values())
    after = counts(fresh_engine)
    assert after["patient"] - before["patient"] == 6
    assert after["appointment"] - before["appointment"] == 4
    assert after["location"] - before["location"] == 7
    with Session(fresh_engine) as s:
        bed = s.scalar(select(models.Location).where(models.Location.code == "5A-05"))
        assert bed is not None and bed.features == "|side-room|isolation|"
        assert bed.operational_status == "U" and bed.description == "Side room 1"
        roles = s.scalars(
            select(models.PractitionerRole.location_id).where(
                models.PractitionerRole.practitioner_id == "prac-o-mensah"
            )
        ).all()
        assert sorted(r or "" for r in roles) == ["ward-4b", "ward-5a"]
    second = run(fresh_engine, LEGACY, commit=True)
    assert counts(fresh_engine) == after
    for report in second.values():
        assert report.create == {} and report.update == {} and report.committed


def test_import_changed_row_is_an_update_not_a_new_record(fresh_engine, tmp_path):
    run(fresh_engine, [DATA / "legacy" / "patients.csv"], commit=True)
    edited = tmp_path / "patients.csv"
    edited.write_text(
        "MRN,Surname,Forename,DOB,Sex\n30000001,Achterberg-Smit,Willem,1948-11-02,M\n"
    )
    report = run(fresh_engine, [edited], commit=True)["patients.csv"]
    assert report.update == {"Patient": 1} and report.create == {}
    with Session(fresh_engine) as s:
        row = s.scalar(select(models.Patient).where(models.Patient.mrn == "30000001"))
        assert row is not None and (row.family, row.version) == ("Achterberg-Smit", 2)


def test_import_strict_commits_no_file_with_a_rejected_row(fresh_engine):
    before = counts(fresh_engine)
    reports = run(fresh_engine, [DATA / "legacy" / "patients.csv"], commit=True, strict=True)
    report = reports["patients.csv"]
    assert not report.committed and "--strict" in (report.error or "")
    assert counts(fresh_engine) == before


def test_import_commit_is_all_or_nothing_per_file(fresh_engine, monkeypatch):
    real_apply = run_module.apply

    def apply_then_fail(session: Session, plan: Any, now: datetime) -> None:
        real_apply(session, plan, now)  # every row is written ...
        if any(m is models.Patient for m in plan.inserts):
            raise RuntimeError("disk full")  # ... then the commit fails

    monkeypatch.setattr(run_module, "apply", apply_then_fail)
    before = counts(fresh_engine)
    paths = [DATA / "legacy" / "wards_beds.csv", DATA / "legacy" / "patients.csv"]
    reports = run(fresh_engine, paths, commit=True)
    assert reports["wards_beds.csv"].committed
    assert not reports["patients.csv"].committed
    assert "nothing from this file was written" in (reports["patients.csv"].error or "")
    after = counts(fresh_engine)
    assert after["patient"] == before["patient"]  # none of the six
    assert after["location"] == before["location"] + 7  # the other file stands


def test_import_fhir_collection_bundle_multi_patient(fresh_engine):
    before = counts(fresh_engine)
    dry = run(fresh_engine, [PILOT], commit=False)[PILOT.name]
    assert counts(fresh_engine) == before
    assert (dry.kind, dry.read, dry.valid) == ("fhir-bundle", 17, 11)
    assert dry.create == {
        "Ward": 1,
        "Bed": 3,
        "Practitioner": 1,
        "PractitionerRole": 1,
        "Patient": 3,
        "Encounter": 1,
        "Slot": 1,
        "Appointment": 1,
    }
    assert dry.skipped == {
        "Observation": 1,
        "Organization": 1,
        "Location (not a ward or bed)": 1,
        "Encounter (not in progress)": 1,
    }
    rejected = reasons(dry)
    assert "not a valid FHIR R4 Patient" in rejected["entry 11 (Patient/p4)"]
    assert rejected["entry 15 (Appointment/appt-2)"].startswith("conflicting booking")
    done = run(fresh_engine, [PILOT], commit=True)[PILOT.name]
    assert done.committed and done.create == dry.create
    with Session(fresh_engine) as s:
        bed = s.scalar(select(models.Location).where(models.Location.code == "6C-03"))
        assert bed is not None and bed.operational_status == "O"  # the stay occupies it
    again = run(fresh_engine, [PILOT], commit=True)[PILOT.name]
    assert again.create == {} and again.update == {}


def test_import_synthea_bundles_with_the_hospitals_identifier_systems(fresh_engine):
    synthea = sorted((DATA / "fhir").glob("synthea_*.json"))
    plain = run(fresh_engine, synthea, commit=False)
    patients = plain["synthea_patients_transaction.json"]
    assert patients.skipped == {"Claim": 2, "Immunization": 1, "Encounter (not in progress)": 2}
    assert all("HMS_MRN_PATTERN" in r.reason for r in patients.rejected)  # UUID MRNs
    options = HmsOptions(
        systems=dataclasses.replace(Systems(), staff="http://hl7.org/fhir/sid/us-npi"),
        mrn_pattern="[0-9a-f-]{36}",
    )
    reports = run(fresh_engine, synthea, commit=True, options=options)
    assert reports["synthea_patients_transaction.json"].create == {"Patient": 2}
    prac = reports["synthea_practitioners_batch.json"]
    assert prac.create == {"Practitioner": 2}
    assert all("no role code" in r.reason for r in prac.rejected)  # NUCC taxonomy, not ours
    with Session(fresh_engine) as s:
        row = s.scalar(
            select(models.Patient).where(
                models.Patient.mrn == "8d3c2f61-5b1e-4c1a-9e7f-1a2b3c4d5e01"
            )
        )
        assert row is not None and row.family == "Kozey370"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("notes.csv", "colour,size\nred,3\n", "cannot tell what this CSV holds"),
        ("bundle.json", "{not json", "not JSON"),
        ("bundle.json", '{"resourceType": "Patient"}', "not a FHIR Bundle"),
        ("bundle.json", '{"resourceType": "Bundle", "type": "searchset"}', "Bundle type"),
    ],
)
def test_import_unreadable_file_is_reported_not_raised(
    fresh_engine, tmp_path, name, content, error
):
    path = tmp_path / name
    path.write_text(content)
    report = run(fresh_engine, [path], commit=True)[name]
    assert error in (report.error or "") and not report.committed


def test_import_served_resources_validate_as_fhir(fresh_engine, tmp_path):
    from fastapi.testclient import TestClient

    from hms.app import create_app
    from hms.settings import HmsSettings
    from tests.hms.hms_testkit import AUTH, TOKEN, valid

    run(fresh_engine, [*LEGACY, PILOT], commit=True)
    settings = HmsSettings(var_dir=tmp_path, hms_api_token=TOKEN)
    app = create_app(settings, fresh_engine)
    kinds = (
        "Location",
        "Patient",
        "Encounter",
        "Practitioner",
        "PractitionerRole",
        "Schedule",
        "Slot",
        "Appointment",
        "HealthcareService",
        "Task",
    )
    with TestClient(app, base_url="http://hms.test/fhir/R4", headers=AUTH) as client:
        for kind in kinds:
            url: str | None = f"/{kind}?_count=1000"
            while url:
                page = client.get(url).json()
                valid(page)  # the Bundle and every resource in it (fhir.resources R4B)
                for entry in page.get("entry", []):
                    valid(entry["resource"])
                nxt = [lk["url"] for lk in page.get("link", []) if lk["relation"] == "next"]
                url = nxt[0].split("/fhir/R4", 1)[1] if nxt else None


def test_import_command_writes_a_private_report_and_keeps_mrns_off_the_console(
    fresh_engine, tmp_path, monkeypatch, capsys
):
    import json
    import stat

    from hms.__main__ import main

    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HMS_DATABASE_URL", str(fresh_engine.url))
    report = tmp_path / "reconcile.json"
    paths = [str(p) for p in LEGACY]
    assert main(["import", "--dry-run", "--report", str(report), *paths]) == 0
    out = capsys.readouterr().out
    assert "dry run, nothing written" in out and "would create" in out
    assert "30000010" not in out and "Jansen" not in out
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    files = {f["file"]: f for f in json.loads(report.read_text())["files"]}
    rejected = {r["where"]: r for r in files["patients.csv"]["rejected"]}
    assert rejected["row 12"]["key"] == "Patient 30000010"  # the report file names the record
    assert main(["import", "--commit", "--strict", *paths]) == 1  # faulty files, strict
    assert main(["import", "--dry-run", str(tmp_path / "missing.csv")]) == 2
