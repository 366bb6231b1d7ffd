"""``python -m hms adt-listen`` as a real process: binds, acknowledges, stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hms.adt_kit import SAMPLES, sample, send
from tests.hms.hms_testkit import free_port

ROOT = Path(__file__).resolve().parents[2]


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(port)


@pytest.mark.servers
def test_adt_listen_command_serves_mllp_on_its_port(hms_template, tmp_path):
    db = tmp_path / "hms.db"
    db.write_bytes(hms_template.read_bytes())
    port = free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path),
        "HMS_DATABASE_URL": f"sqlite:///{db}",
        "ADT_PORT": str(port),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hms", "adt-listen"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port, proc)
        ack = send(port, sample("a01_admit"))
        assert ack.code == "AA", ack.text
        assert send(port, "garbage").code == "AR"
        assert send(port, sample("a01_admit")).code == "AA"  # a duplicate, still served
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    log = (tmp_path / "log" / "adt.log").read_text()
    assert "PAS0000101 A01 -> AA" in log
    assert "HOLLOWAY" not in log and "20000001" not in log  # no PHI in the log


def test_adt_send_command_prints_each_ack(adt, monkeypatch, capsys, tmp_path):
    from hms.__main__ import main

    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    files = [str(SAMPLES / "a01_admit.hl7"), str(SAMPLES / "oru_r01_lab_result.hl7")]
    code = main(["adt-send", "--host", "127.0.0.1", "--port", str(adt.port), *files])
    out = capsys.readouterr().out.splitlines()
    assert code == 1  # the lab result is rejected
    assert out[0].endswith("a01_admit.hl7: AA admitted to 4B-06")
    assert "oru_r01_lab_result.hl7: AR message type ORU" in out[1]
