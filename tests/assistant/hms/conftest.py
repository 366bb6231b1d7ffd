"""Fixtures for the HMS client tests.

``fake_hms``: an in-memory FHIR R4 fake behind ``httpx.MockTransport`` (standard search
parameters only, pages of 3 so Bundle ``next`` links are followed). ``real_hms``: the
reference HMS (``hms/``) started with uvicorn on a free port with a temporary SQLite db.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from assistant.hms import FhirHmsClient

BASE = "http://hms.test/fhir/R4"
PAGE = 3
PT = "http://terminology.hl7.org/CodeSystem/location-physical-type"
OS = "http://terminology.hl7.org/CodeSystem/v2-0116"
T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def _cc(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def _ident(system: str, value: str) -> list[dict]:
    return [{"system": system, "value": value}]


def ward(code: str, name: str, *aliases: str) -> dict:
    return {
        "resourceType": "Location",
        "id": f"ward-{code.lower()}",
        "mode": "instance",
        "identifier": _ident("urn:hms:ward", code),
        "name": name,
        "alias": list(aliases),
        "physicalType": _cc(PT, "wa"),
    }


def bed(code: str, n: int, status: str, room: str, *features: str, parent: str = "") -> dict:
    return {
        "resourceType": "Location",
        "id": f"bed-{code.lower()}-{n:02d}",
        "mode": "instance",
        "identifier": _ident("urn:hms:bed", f"{code}-{n:02d}"),
        "name": f"{code} Bed {n}",
        "description": room,
        "physicalType": _cc(PT, "bd"),
        "operationalStatus": {"system": OS, "code": status},
        "type": [_cc("urn:hms:bed-feature", f) for f in features],
        "partOf": {"reference": f"Location/{parent or 'ward-' + code.lower()}"},
    }


def seed() -> list[dict]:
    slots = []
    for i, status in enumerate(["busy", "free", "free", "free", "free"]):
        start = T0 + timedelta(minutes=30 * (4 - i))  # stored out of order on purpose
        slots.append(
            {
                "resourceType": "Slot",
                "id": f"slot-{i}",
                "status": status,
                "schedule": {"reference": "Schedule/sch-card"},
                "serviceType": [_cc("urn:hms:service-type", "cardiology")],
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
            }
        )
    return [
        ward("4B", "Ward 4B", "Medical 4B", "four b"),
        ward("5A", "Ward 5A"),
        bed("4B", 1, "O", "Bay 1"),
        bed("4B", 2, "U", "Bay 1", "monitored"),
        bed("4B", 6, "U", "Side room 2", "isolation", "side-room"),
        {
            "resourceType": "Location",
            "id": "room-5a-1",
            "name": "5A Bay 1",
            "physicalType": _cc(PT, "ro"),
            "partOf": {"reference": "Location/ward-5a"},
        },
        bed("5A", 1, "H", "Bay 1", parent="room-5a-1"),
        bed("5A", 2, "U", "Bay 1", parent="room-5a-1"),
        {
            "resourceType": "Patient",
            "id": "pat-1",
            "identifier": _ident("urn:hms:mrn", "10004821"),
            "name": [{"use": "official", "family": "Okafor", "given": ["Ada", "May"]}],
            "birthDate": "1950-03-02",
        },
        {
            "resourceType": "Encounter",
            "id": "enc-1",
            "status": "in-progress",
            "class": {"code": "IMP"},
            "subject": {"reference": "Patient/pat-1"},
            "location": [
                {"location": {"reference": "Location/bed-4b-02"}, "status": "completed"},
                {"location": {"reference": "Location/bed-4b-01"}, "status": "active"},
            ],
        },
        {
            "resourceType": "Practitioner",
            "id": "prac-nj",
            "active": True,
            "identifier": _ident("urn:hms:staff", "n.jones"),
            "name": [{"family": "Jones", "given": ["Nia"]}],
            "telecom": [{"system": "email", "value": "n.jones@demo-hospital.example"}],
        },
        {
            "resourceType": "PractitionerRole",
            "id": "role-nj",
            "active": True,
            "practitioner": {"reference": "Practitioner/prac-nj"},
            "code": [_cc("urn:hms:role", "nurse")],
            "location": [{"reference": "Location/ward-4b"}],
        },
        {
            "resourceType": "PractitionerRole",
            "id": "role-nj-old",
            "active": False,
            "practitioner": {"reference": "Practitioner/prac-nj"},
            "code": [_cc("urn:hms:role", "admin")],
            "location": [{"reference": "Location/ward-5a"}],
        },
        {
            "resourceType": "Practitioner",
            "id": "prac-dr",
            "identifier": _ident("urn:hms:staff", "d.rao"),
            "name": [{"text": "Dr Dev Rao"}],
        },
        {
            "resourceType": "HealthcareService",
            "id": "svc-cardiology",
            "name": "Cardiology Clinic",
            "type": [_cc("urn:hms:service-type", "cardiology")],
        },
        {
            "resourceType": "Schedule",
            "id": "sch-card",
            "actor": [
                {"reference": "Practitioner/prac-dr"},
                {"reference": "HealthcareService/svc-cardiology"},
            ],
            "serviceType": [_cc("urn:hms:service-type", "cardiology")],
        },
        *slots,
    ]


def _tokens(res: dict, name: str) -> list[str]:
    """``system|code`` and bare ``code`` strings a resource offers for a token param."""
    values: list[dict] = []
    if name == "identifier":
        values = [
            {"system": i.get("system"), "code": i.get("value")} for i in res.get("identifier", [])
        ]
    elif name == "operational-status" and res.get("operationalStatus"):
        values = [res["operationalStatus"]]
    elif name == "service-type":
        values = [c for cc in res.get("serviceType", []) for c in cc["coding"]]
    elif name == "status":
        values = [{"code": res.get("status")}]
    elif name == "email":
        values = [{"code": t["value"]} for t in res.get("telecom", []) if t["system"] == "email"]
    out = []
    for v in values:
        out += [str(v.get("code")), f"{v.get('system')}|{v.get('code')}"]
    return out


REFS = {
    "partof": lambda r: [r.get("partOf", {}).get("reference")],
    "patient": lambda r: (
        [r.get("subject", {}).get("reference")]
        + [p["actor"]["reference"] for p in r.get("participant", [])]
    ),
    "practitioner": lambda r: (
        [r.get("practitioner", {}).get("reference")]
        + [p["actor"]["reference"] for p in r.get("participant", [])]
    ),
    "actor": lambda r: [a["reference"] for a in r.get("actor", [])],
    "schedule": lambda r: [r.get("schedule", {}).get("reference")],
    "requester": lambda r: [r.get("requester", {}).get("reference")],
}


class FakeFhir:
    def __init__(self) -> None:
        self.store: dict[tuple[str, str], dict] = {}
        for res in seed():
            res.setdefault("meta", {})["versionId"] = "1"
            self.store[(res["resourceType"], res["id"])] = res
        self.requests: list[httpx.Request] = []
        self.bodies: list[dict] = []
        self.counter = 0
        self.honour_sort = False  # like a server that ignores _sort

    def matches(self, res: dict, key: str, value: str) -> bool:
        if key in REFS:
            return any(ref in REFS[key](res) for ref in value.split(","))
        if key == "name":
            return value.lower() in json.dumps(res.get("name", [])).lower()
        if key == "start" and value.startswith("ge"):
            return datetime.fromisoformat(res["start"]) >= datetime.fromisoformat(value[2:])
        if key == "date":
            return res.get("start", "").startswith(value)
        return any(v in _tokens(res, key) for v in value.split(","))

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        parts = request.url.path.removeprefix("/fhir/R4/").split("/")
        if request.method == "GET" and parts == ["metadata"]:
            return httpx.Response(
                200, json={"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1"}
            )
        if request.method == "GET" and len(parts) == 1:
            return self.search(request, parts[0])
        if request.method == "GET":
            res = self.store.get((parts[0], parts[1]))
            if res is None:
                return httpx.Response(
                    404,
                    json={
                        "resourceType": "OperationOutcome",
                        "issue": [
                            {"severity": "error", "code": "not-found", "diagnostics": "unknown id"}
                        ],
                    },
                )
            return self._one(200, res)
        body = json.loads(request.content)
        self.bodies.append(body)
        if request.method == "POST":
            self.counter += 1
            body["id"] = f"{parts[0].lower()}-{self.counter}"
            if parts[0] == "Task":
                body["identifier"] = _ident("urn:hms:ticket", f"HR-{self.counter:06d}")
        else:
            current = self.store[(parts[0], parts[1])]
            if request.headers.get("If-Match") != f'W/"{current["meta"]["versionId"]}"':
                return httpx.Response(412, json={"resourceType": "OperationOutcome", "issue": []})
        version = int(
            self.store.get((parts[0], body["id"]), {}).get("meta", {}).get("versionId", 0)
        )
        body["meta"] = {"versionId": str(version + 1)}
        self.store[(parts[0], body["id"])] = body
        return self._one(201 if request.method == "POST" else 200, body)

    def _one(self, status: int, res: dict) -> httpx.Response:
        return httpx.Response(
            status, json=copy.deepcopy(res), headers={"ETag": f'W/"{res["meta"]["versionId"]}"'}
        )

    def search(self, request: httpx.Request, kind: str) -> httpx.Response:
        params = [(k, v) for k, v in request.url.params.multi_items() if not k.startswith("_")]
        hits = [
            r
            for (k, _), r in self.store.items()
            if k == kind and all(self.matches(r, key, v) for key, v in params)
        ]
        if self.honour_sort and request.url.params.get("_sort") == "start":
            hits.sort(key=lambda r: r["start"])
        offset = int(request.url.params.get("_offset", "0"))
        body: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(hits),
            "entry": [
                {"resource": copy.deepcopy(r), "search": {"mode": "match"}}
                for r in hits[offset : offset + PAGE]
            ],
        }
        if offset + PAGE < len(hits):
            items = [(k, v) for k, v in request.url.params.multi_items() if k != "_offset"]
            query = urlencode([*items, ("_offset", offset + PAGE)])
            body["link"] = [{"relation": "next", "url": f"{BASE}/{kind}?{query}"}]
        return httpx.Response(200, json=body)


@pytest.fixture
def fake() -> FakeFhir:
    return FakeFhir()


@pytest.fixture
async def hms(fake: FakeFhir) -> AsyncIterator[FhirHmsClient]:
    client = FhirHmsClient(BASE, "secret", transport=httpx.MockTransport(fake.handler), backoff=0)
    async with client:
        yield client


# -- the reference HMS as a real server ------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def real_hms(tmp_path_factory: pytest.TempPathFactory):
    """``(base_url, token)`` of a seeded reference HMS (uvicorn subprocess, temp SQLite)."""
    import os
    import secrets
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    var = tmp_path_factory.mktemp("hms-var")
    port, token = _free_port(), secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "HMS_DATABASE_URL": f"sqlite:///{var / 'hms.db'}",
        "HMS_API_TOKEN": token,
        "HMS_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
    }
    log = (var / "hms.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hms", "serve", "--seed-if-empty"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"HMS exited with {proc.returncode}: {(var / 'hms.log').read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"HMS not healthy in 60 s: {(var / 'hms.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/fhir/R4", token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
async def live(real_hms) -> AsyncIterator[FhirHmsClient]:
    base, token = real_hms
    async with FhirHmsClient(base, token, timeout=10.0, ward_cache_seconds=0) as client:
        yield client


@pytest.fixture
async def raw(real_hms) -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client on the same HMS, to compare the client with raw FHIR searches."""
    base, token = real_hms
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    async with httpx.AsyncClient(base_url=base + "/", headers=headers, timeout=10.0) as client:
        yield client
