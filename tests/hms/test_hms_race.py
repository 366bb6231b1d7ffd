"""Two (or more) concurrent bookings of one slot against a real uvicorn server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx
import pytest

from tests.hms.hms_testkit import AUTH, TOKEN, free_port, wait_http
from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS = 6


def _serve(db_url: str, var_dir: Path):
    port = free_port()
    env = os.environ | {
        "HMS_DATABASE_URL": db_url,
        "HMS_API_TOKEN": TOKEN,
        "HMS_PORT": str(port),
        "VAR_DIR": str(var_dir),
        "BIND_HOST": "127.0.0.1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hms", "serve", "--seed-if-empty"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc=proc)
    except BaseException:
        proc.kill()
        raise
    return proc, f"http://127.0.0.1:{port}/fhir/R4"


def _race(base: str, use_if_match: bool) -> tuple[list[int], str]:
    with httpx.Client(base_url=base, headers=AUTH, timeout=30) as client:
        slot = client.get(
            "/Slot",
            params={
                "status": "free",
                "_sort": "-start",
                "_count": "1",
                "practitioner": "prac-dr-patel",
            },
        ).json()["entry"][0]["resource"]
        patient = client.get("/Patient", params={"_count": "1"}).json()["entry"][0]["resource"]
    body = {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot['id']}"}],
        "participant": [{"actor": {"reference": f"Patient/{patient['id']}"}, "status": "accepted"}],
    }
    headers = {"If-Match": f'W/"{slot["meta"]["versionId"]}"'} if use_if_match else {}
    barrier = threading.Barrier(CONTENDERS)
    statuses: list[int] = []

    def book() -> None:
        with httpx.Client(base_url=base, headers=AUTH, timeout=60) as client:
            barrier.wait()
            statuses.append(client.post("/Appointment", json=body, headers=headers).status_code)

    threads = [threading.Thread(target=book) for _ in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses), slot["id"]


def _assert_one_booking(base: str, statuses: list[int], slot_id: str) -> None:
    assert statuses.count(201) == 1, statuses
    assert all(s in (409, 412) for s in statuses if s != 201), statuses
    with httpx.Client(base_url=base, headers=AUTH) as client:
        booked = client.get("/Appointment", params={"slot": slot_id, "status": "booked"}).json()
        assert booked["total"] == 1
        assert client.get(f"/Slot/{slot_id}").json()["status"] == "busy"


def _run_races(db_url: str, var_dir: Path) -> None:
    proc, base = _serve(db_url, var_dir)
    try:
        for use_if_match in (False, True):
            statuses, slot_id = _race(base, use_if_match)
            _assert_one_booking(base, statuses, slot_id)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.servers
def test_race_concurrent_bookings_sqlite_exactly_one_wins(tmp_path):
    _run_races(f"sqlite:///{tmp_path / 'race.db'}", tmp_path)


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    return versions[-1] if versions and (versions[-1] / "pg_ctl").exists() else None


@pytest.fixture
def postgres_url():
    bindir = _pg_bin()
    if bindir is None or shutil.which("postgres") is None and not (bindir / "postgres").exists():
        missing("PostgreSQL server binaries")
    as_user: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="hms-pg-"))
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(workdir, "postgres")
    data, port = workdir / "data", free_port()
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(workdir / "log"),
            "-o",
            f"-p {port} -k {workdir} -h 127.0.0.1 -F",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.postgres
def test_race_concurrent_bookings_postgres_exactly_one_wins(postgres_url, tmp_path):
    _run_races(postgres_url, tmp_path)
