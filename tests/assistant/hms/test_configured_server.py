"""Any FHIR R4 server by configuration: the reference HMS started with other identifier
systems and its extensions off, used by the client and by ``python -m assistant hms check``."""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from assistant.channels.kiosk.speech.directory import directory_from_hms
from assistant.hms import FhirHmsClient
from assistant.hms.check import Capabilities, check_server
from assistant.hms.systems import IdentifierSystems

ROOT = Path(__file__).resolve().parents[3]
TRUST = IdentifierSystems(
    mrn="https://trust.example/fhir/mrn",
    staff="https://trust.example/fhir/staff-id",
    ward="https://trust.example/fhir/ward",
    bed="https://trust.example/fhir/bed",
    ticket="https://trust.example/fhir/helpdesk-ticket",
    role="https://trust.example/fhir/role",
)
TRUST_ENV = {
    "HMS_MRN_SYSTEM": TRUST.mrn,
    "HMS_STAFF_SYSTEM": TRUST.staff,
    "HMS_WARD_SYSTEM": TRUST.ward,
    "HMS_BED_SYSTEM": TRUST.bed,
    "HMS_TICKET_SYSTEM": TRUST.ticket,
    "HMS_ROLE_SYSTEM": TRUST.role,
}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def trust_hms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The reference HMS process with the trust's systems and HMS_EXTENSIONS=off."""
    var = tmp_path_factory.mktemp("trust-hms")
    port, token = _free_port(), secrets.token_urlsafe(16)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HMS_")},
        **TRUST_ENV,
        "HMS_EXTENSIONS": "off",
        "VAR_DIR": str(var),
        "HMS_DATABASE_URL": f"sqlite:///{var / 'hms.db'}",
        "HMS_API_TOKEN": token,
        "HMS_PORT": str(port),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hms", "serve", "--seed-if-empty"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, "the HMS exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the HMS did not start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/fhir/R4", token
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture
async def trust_client(trust_hms: tuple[str, str]) -> AsyncIterator[FhirHmsClient]:
    base, token = trust_hms
    async with FhirHmsClient(base, token, systems=TRUST, ward_cache_seconds=0) as client:
        yield client


@pytest.mark.servers
async def test_client_works_against_a_server_with_other_identifier_systems(trust_hms, trust_client):
    wards = {w.code for w in await trust_client.list_wards()}
    assert {"4B", "ICU", "ED"} <= wards
    free = await trust_client.free_beds("4B")
    assert free and all(b.ward_code == "4B" and b.status == "U" for b in free)
    assert (await trust_client.get_bed("4B", 3)).id == "bed-4b-03"
    (nurse,) = await trust_client.find_staff(username="n.jones")
    assert nurse.roles == {"nurse"} and nurse.ward_codes == {"4B"}
    base, token = trust_hms
    raw = httpx.get(
        f"{base}/Patient", params={"_count": 1}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    mrn = raw["entry"][0]["resource"]["identifier"][0]["value"]
    (patient,) = await trust_client.find_patients(mrn=mrn)
    assert patient.mrn == mrn
    assert await trust_client.find_patients(mrn="not-an-mrn") == []  # HMS_MRN_PATTERN
    task = await trust_client.with_actor("n.jones").create_task(
        "it", None, "routine", "printer jammed", "n.jones"
    )
    assert task.ticket_id and (await trust_client.get_task(task.ticket_id)).id == task.id
    start = datetime.now(UTC) + timedelta(days=1)
    (slot,) = await trust_client.free_slots("cardiology", start_from=start, count=1)
    booked = await trust_client.with_actor("s.ali").book(patient.id, slot.id)
    assert booked.status == "booked" and booked.service_code == "cardiology"


@pytest.mark.servers
async def test_client_with_the_wrong_systems_finds_no_staff(trust_hms):
    base, token = trust_hms
    async with FhirHmsClient(base, token) as default_client:  # urn:hms:* systems
        assert await default_client.find_staff(username="n.jones") == []


@pytest.mark.servers
async def test_kiosk_directory_reads_every_staff_name_from_the_hms(trust_client):
    directory = await directory_from_hms(trust_client)
    assert len(directory.clinicians) >= 40  # all staff, not only the demo usernames
    assert {"Amara Nwosu", "Dr Raj Patel", "Chris Sam"} <= set(directory.clinicians)
    assert "Ward 4B" in {w.name for w in directory.wards}


def _check(trust_hms: tuple[str, str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base, token = trust_hms
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HMS_")}
    return subprocess.run(
        [sys.executable, "-m", "assistant", "hms", "check"],
        cwd=ROOT,
        env={**clean, **env, "HMS_BASE_URL": base, "HMS_API_TOKEN": token},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.servers
def test_hms_check_reports_every_feature_available_with_matching_systems(trust_hms):
    done = _check(trust_hms, TRUST_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "FHIR 4.0.1" in out and "all assistant features available" in out
    assert "Location: read, search-type, update" in out and "[MISSING]" not in out
    assert "physical-type" not in out  # the extension is off, so not offered
    assert "needed a token" not in out  # /metadata is public


@pytest.mark.servers
def test_hms_check_warns_when_the_identifier_systems_do_not_match(trust_hms):
    done = _check(trust_hms, {})
    assert done.returncode == 1
    assert "no sampled Patient uses urn:hms:mrn (HMS_MRN_SYSTEM)" in done.stdout
    assert TRUST.mrn in done.stdout  # what the server does use


async def test_hms_check_names_features_a_limited_server_lacks():
    statement = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "software": {"name": "Ward board", "version": "2"},
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "Location",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": n, "type": "token"}
                            for n in ("partof", "operational-status", "identifier")
                        ],
                    }
                ],
            }
        ],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != "Bearer t":
            return httpx.Response(401, json={"resourceType": "OperationOutcome", "issue": []})
        if request.url.path.endswith("/metadata"):
            return httpx.Response(200, json=statement)
        return httpx.Response(200, json={"resourceType": "Bundle", "type": "searchset"})

    report = await check_server(
        "http://board.test/fhir", "t", IdentifierSystems(), transport=httpx.MockTransport(answer)
    )
    assert not report.metadata_public
    assert report.features["free beds and bed summaries"] == []
    assert report.features["bed-freed notices (watching beds)"] == []
    assert report.features["changing a bed's status"] == ["Location update"]
    assert report.features["help requests (tickets)"][0] == "Task is not served"
    text = report.render()
    assert "needed a token" in text and "[MISSING] booking appointments" in text
    assert report.exit_code() == 1


def test_hms_check_capabilities_parse_rejects_other_resources():
    with pytest.raises(ValueError, match="CapabilityStatement"):
        Capabilities.parse({"resourceType": "Bundle"})
    assert dataclasses.asdict(TRUST)["mrn_pattern"] == r"\d{8}"
    with pytest.raises(ValueError, match="HMS_MRN_PATTERN"):
        IdentifierSystems(mrn_pattern="([")


def test_hms_check_unreachable_server_exits_2():
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "hms", "check", "--url", "http://127.0.0.1:9/fhir"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "cannot read the CapabilityStatement" in done.stdout


class Recording(httpx.AsyncHTTPTransport):
    """The real HTTP transport, remembering the search parameters of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.searches: list[tuple[str, set[str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.rsplit("/fhir/R4/", 1)[-1]
        if "/" not in path and request.method == "GET" and path != "metadata":
            self.searches.append((path, set(request.url.params.keys())))
        return await super().handle_async_request(request)


@pytest.mark.servers
async def test_client_uses_only_search_parameters_a_plain_r4_server_declares(trust_hms):
    base, token = trust_hms
    statement = httpx.get(f"{base}/metadata").json()
    declared = {
        r["type"]: {p["name"] for p in r.get("searchParam", [])}
        for r in statement["rest"][0]["resource"]
    }
    common = {"_count", "_sort", "_offset", "_include"}
    recording = Recording()
    async with FhirHmsClient(base, token, systems=TRUST, transport=recording) as client:
        await client.bed_summary()
        await client.free_beds("4B", "isolation")
        await client.get_bed("ICU", 1)
        await client.find_staff(username="n.jones")
        await client.find_patients(name="smith")
        patients = await client.find_patients(name="a")
        assert patients
        await client.current_stay(patients[0].id)
        await client.list_appointments(patient_id=patients[0].id)
        start = datetime.now(UTC) + timedelta(days=1)
        await client.free_slots("cardiology", start_from=start)
        (staff,) = await client.find_staff(username="dr.patel")
        await client.free_slots(None, staff.id, start_from=start)
        await client.list_tasks(requester_username="n.jones")
        await client.list_staff_names()
    assert recording.searches
    for kind, params in recording.searches:
        assert params - common <= declared[kind], (kind, params - common - declared[kind])
