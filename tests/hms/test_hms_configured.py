"""The reference HMS started with other identifier systems and its extensions off."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from hms import models
from hms.app import create_app
from hms.config import HmsOptions, Systems, hms_options
from hms.settings import HmsSettings
from tests.hms.hms_testkit import AUTH, TOKEN, entries, outcome, valid

TRUST = Systems(
    mrn="https://trust.example/fhir/mrn",
    staff="https://trust.example/fhir/staff-id",
    ward="https://trust.example/fhir/ward",
    bed="https://trust.example/fhir/bed",
    ticket="https://trust.example/fhir/helpdesk-ticket",
    role="https://trust.example/fhir/role",
)


@pytest.fixture
def trust(fresh_engine: Any, tmp_path: Any) -> Iterator[TestClient]:
    settings = HmsSettings(
        var_dir=tmp_path,
        hms_database_url=str(fresh_engine.url),
        hms_api_token=TOKEN,
        options=HmsOptions(systems=TRUST, extensions=False),
    )
    with TestClient(
        create_app(settings, fresh_engine), base_url="http://hms.test/fhir/R4", headers=AUTH
    ) as client:
        yield client


def test_hms_options_read_from_environment():
    options = hms_options({"HMS_MRN_SYSTEM": TRUST.mrn, "HMS_EXTENSIONS": "off", "ADT_PORT": "0"})
    assert options.systems.mrn == TRUST.mrn and options.systems.staff == "urn:hms:staff"
    assert not options.extensions and options.adt.port == 0
    with pytest.raises(ValueError, match="ADT_PORT"):
        hms_options({"ADT_PORT": "http"})
    with pytest.raises(ValueError, match="HMS_MRN_PATTERN"):
        hms_options({"HMS_MRN_PATTERN": "(["})


def test_hms_writes_and_searches_by_the_configured_systems(trust):
    patient = entries(trust.get("/Patient", params={"_count": "1"}).json())[0]
    (ident,) = patient["identifier"]
    assert ident["system"] == TRUST.mrn
    found = trust.get("/Patient", params={"identifier": f"{TRUST.mrn}|{ident['value']}"}).json()
    assert [p["id"] for p in entries(found)] == [patient["id"]]
    other = trust.get("/Patient", params={"identifier": f"urn:hms:mrn|{ident['value']}"}).json()
    assert entries(other) == []
    prac = entries(
        trust.get("/Practitioner", params={"identifier": f"{TRUST.staff}|n.jones"}).json()
    )
    assert prac and prac[0]["identifier"][0]["system"] == TRUST.staff
    ward = entries(trust.get("/Location", params={"identifier": f"{TRUST.ward}|4B"}).json())
    assert [w["id"] for w in ward] == ["ward-4b"]
    role = entries(trust.get("/PractitionerRole", params={"role": f"{TRUST.role}|nurse"}).json())
    assert role and role[0]["code"][0]["coding"][0]["system"] == TRUST.role
    task = trust.post(
        "/Task",
        json={
            "resourceType": "Task",
            "status": "requested",
            "intent": "order",
            "code": {"coding": [{"system": TRUST.help_type, "code": "it"}]},
        },
    )
    assert task.status_code == 201, task.text
    assert valid(task.json())["identifier"][0]["system"] == TRUST.ticket


def test_hms_extensions_off_serves_plain_r4(trust, fresh_engine):
    statement = valid(trust.get("/metadata").json())
    params = {
        r["type"]: {p["name"] for p in r["searchParam"]} for r in statement["rest"][0]["resource"]
    }
    assert "physical-type" not in params["Location"] and "practitioner" not in params["Slot"]
    assert "partof" in params["Location"]
    assert trust.get("http://hms.test/directory").status_code == 404
    everything = trust.get("/Slot", params={"_count": "1"}).json()["total"]
    custom = trust.get("/Slot", params={"practitioner": "prac-dr-patel", "_count": "1"})
    assert custom.json()["total"] == everything  # an unknown parameter, ignored
    outcome(
        trust.get("/Slot", params={"practitioner": "x"}, headers={"Prefer": "handling=strict"}),
        400,
    )
    with Session(fresh_engine) as s, s.begin():
        s.execute(
            update(models.Location)
            .where(models.Location.id == "bed-4b-03")
            .values(pending="reserved")
        )
    bed = valid(trust.get("/Location/bed-4b-03").json())
    assert "extension" not in bed


def test_hms_default_options_keep_the_extensions(client):
    statement = client.get("/metadata").json()
    slot = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Slot")
    assert "practitioner" in {p["name"] for p in slot["searchParam"]}
    assert dataclasses.asdict(HmsOptions().systems)["mrn"] == "urn:hms:mrn"
    assert TOKEN
