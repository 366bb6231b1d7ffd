"""The action server app: registered actions, health check, webhook round trip."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from actions.server import build_executor
from tests.actions.fakes import tracker

EXPECTED = {
    "action_book_appointment",
    "action_cancel_appointment",
    "action_reschedule_appointment",
    "action_list_appointments",
    "action_check_bed_availability",
    "action_update_bed_status",
    "action_request_help",
    "action_check_request_status",
    "action_find_patient",
    "action_talk_to_human",
    "action_emergency",
    "action_ask_capabilities",
    "action_stop",
    "validate_book_appointment_form",
    "validate_cancel_appointment_form",
    "validate_reschedule_appointment_form",
    "validate_update_bed_status_form",
    "validate_request_help_form",
}


@pytest.fixture(scope="module")
def executor():
    return build_executor()


def test_server_registers_every_action(executor):
    assert EXPECTED <= set(executor.actions)
    assert not any(name.startswith("action_") and "guarded" in name for name in executor.actions)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path),
        "ACTION_PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "ASSISTANT_SIGNING_KEY": "k",
        "EMERGENCY_NUMBER": "2222",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "actions.server"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                pytest.fail(f"action server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.servers
def test_server_healthz_and_webhook(server):
    health = httpx.get(f"{server}/healthz").json()
    assert health["status"] == "ok" and health["actions"] >= len(EXPECTED)
    trk = tracker(None, intent="emergency", principal=None)
    body = {
        "next_action": "action_emergency",
        "sender_id": trk.sender_id,
        "tracker": trk.current_state(),
        "domain": {},
        "version": "3.6.21",
    }
    resp = httpx.post(f"{server}/webhook", json=body, timeout=30)
    assert resp.status_code == 200
    [message] = resp.json()["responses"]
    assert "call 2222 now" in message["text"]
    assert message["custom"]["kind"] == "emergency_answer"


async def test_server_stop_closes_the_hms_pool_of_the_services_and_practice_views():
    # an unclosed aiohttp pool was left to the garbage collector at exit: "Unclosed
    # connector" logged while logging was torn down (the PHI filter raised inside it)
    import dataclasses

    from actions.services import close_services, set_services
    from assistant.practice import actions as practice
    from tests.actions.fakes import FakeHms, make_services

    closed: list[str] = []

    class Pool(FakeHms):
        async def aclose(self) -> None:
            closed.append(self.actor or "")

    services = dataclasses.replace(make_services(), hms=Pool(actor="live"))
    view = dataclasses.replace(services, hms=Pool(actor="practice"))
    practice._views[id(services)] = (services, view)
    set_services(services)
    try:
        await close_services()
    finally:
        set_services(None)
    assert sorted(closed) == ["live", "practice"] and practice._views == {}
