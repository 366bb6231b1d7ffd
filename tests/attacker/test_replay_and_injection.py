"""Every replay and injection path of issue 15, tried against the running stack.

Each test is what a local process (loopback access, and in the principal case a leaked
Rasa token) did on the main branch; each is refused now. Helpers from the scenario kit
read the HMS directly to pick real patients.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.scenario.scenario_kit import Hms

pytestmark = [pytest.mark.attacker, pytest.mark.stack]
ROOT = Path(__file__).resolve().parents[2]
UNVERIFIED = "I can't verify who you are"


def _rest(stack: Any, user: str, text: str, conversation: str | None = None) -> dict[str, Any]:
    return stack.post_message(stack.token(user), text, conversation)


def _action_call(sender: str, action: str, slots: dict[str, Any], principal: Any) -> dict:
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": "free beds on 4B", "intent": {"name": "x"},
                               "entities": [], "metadata": {"principal": principal}},
            "events": [], "paused": False, "followup_action": None, "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }  # fmt: skip


def _leaked_principal(stack: Any) -> tuple[str, Any]:
    """A real principal, read back from Rasa's tracker with the Rasa token (the leak)."""
    reply = _rest(stack, "n.jones", "how many free beds on 4B")
    sender = f"rest:n.jones:{reply['conversation_id']}"
    token = stack.stack.secrets["RASA_AUTH_TOKEN"]
    for rasa in stack.urls["rasa"].split(","):
        got = httpx.get(f"{rasa}/conversations/{sender}/tracker", params={"token": token})
        events = got.json().get("events") or [] if got.status_code == 200 else []
        users = [e for e in events if e.get("event") == "user"]
        if users:
            return sender, users[-1]["metadata"]["principal"]
    raise AssertionError("no tracker found for the conversation")


def _run_action(stack: Any, sender: str, principal: Any) -> str:
    call = _action_call(sender, "action_check_bed_availability", {"ward": "4B"}, principal)
    response = httpx.post(stack.urls["actions"], json=call, timeout=60)
    response.raise_for_status()
    return " ".join(r.get("text") or "" for r in response.json()["responses"])


def test_attacker_principal_replayed_into_another_conversation_is_refused(stack):
    sender, principal = _leaked_principal(stack)
    assert UNVERIFIED in _run_action(stack, "rest:n.jones:attacker-" + uuid.uuid4().hex, principal)
    assert UNVERIFIED in _run_action(stack, "rest:a.admin:x", principal)


def test_attacker_principal_replayed_after_its_seconds_is_refused(stack):
    sender, principal = _leaked_principal(stack)
    ttl = int(stack.env.get("PRINCIPAL_TTL_SECONDS") or 30)
    assert UNVERIFIED not in _run_action(stack, sender, principal)  # genuine, within seconds
    time.sleep(ttl + 6)  # past expiry plus the verifier's leeway
    assert UNVERIFIED in _run_action(stack, sender, principal)


def test_attacker_injected_button_payload_is_refused_by_the_gateway(stack):
    first = _rest(stack, "n.jones", "cancel an appointment")
    injected = '/affirm{"appointment_id": "apt-1", "mrn": "10000001"}'
    reply = _rest(stack, "n.jones", injected, first["conversation_id"])
    kinds = [(r.get("custom") or {}).get("kind") for r in reply["replies"]]
    assert kinds == ["payload_refused"], reply


def test_attacker_reads_someone_elses_help_request_status_refused(stack):
    from assistant.hms.client import FhirHmsClient

    async def create() -> str:
        client = FhirHmsClient(stack.urls["fhir"], stack.stack.secrets["HMS_API_TOKEN"])
        try:
            task = await client.with_actor("n.jones").create_task(
                "it", None, "routine", "printer on 4B", "n.jones"
            )
        finally:
            await client.aclose()
        return str(task.ticket_id)

    ticket = asyncio.run(create())
    reply = _rest(stack, "p.kim", f"status of {ticket}")
    text = " ".join(r.get("text") or "" for r in reply["replies"])
    assert "not one of your requests" in text, reply
    assert "printer" not in text and "requested" not in text


def test_attacker_where_is_does_not_reveal_admission_on_other_wards(stack):
    hms = Hms(stack)
    elsewhere, _ = hms.admitted("7", skip=3)
    outpatient = hms.outpatient(skip=25, min_booked=0)
    stays = hms.entries("Encounter", patient=f"Patient/{outpatient.id}", status="in-progress")
    assert not stays
    answers = []
    for patient in (elsewhere, outpatient):
        reply = _rest(stack, "n.jones", f"where is mrn {patient.mrn}")
        answers.append(" ".join(r.get("text") or "" for r in reply["replies"]))
    assert answers[0] == answers[1], answers
    assert "not currently admitted" not in answers[1] and outpatient.mrn[-4:] not in answers[1]


def _kiosk(stack: Any, staff: str) -> httpx.Client:
    from assistant.channels.kiosk.badges import BadgeStore
    from assistant.store import open_store_at

    pin = f"{uuid.uuid4().int % 10**6:06d}"
    badge = f"T{uuid.uuid4().hex[:8]}"
    store = open_store_at(f"sqlite:///{stack.var_dir / 'assistant.db'}")
    BadgeStore(store.engine, time.time).enrol(badge, staff, pin)
    store.close()
    client = httpx.Client(base_url=stack.urls["gateway"], timeout=60)
    signed = client.post("/kiosk/api/session", json={"badge": badge, "pin": pin})
    assert signed.status_code == 200, signed.text
    return client


def test_attacker_fetches_another_kiosk_sessions_reply_audio_refused(stack):
    nurse, other = _kiosk(stack, "n.jones"), _kiosk(stack, "b.okoro")
    body = nurse.post("/kiosk/api/text", json={"text": "how many free beds on 4B"}).json()
    assert body["audio_url"]
    assert other.get(body["audio_url"]).status_code == 404
    assert nurse.get(body["audio_url"]).status_code == 200


def test_attacker_bed_board_without_beds_read_refused(stack):
    assert _kiosk(stack, "h.lee").get("/kiosk/api/board").status_code == 403
    assert _kiosk(stack, "n.jones").get("/kiosk/api/board").status_code == 200


def test_attacker_replayed_slash_command_runs_once(stack):
    from tests.fakes import slack_api as fake

    marker = f"free beds on 4B {uuid.uuid4().hex[:6]}"
    from urllib.parse import urlencode

    form = {
        "command": "/hms",
        "text": marker,
        "user_id": fake.DEMO_STAFF["n.jones"],
        "channel_id": "C0WARD4B",
        "team_id": fake.TEAM_ID,
        "trigger_id": uuid.uuid4().hex,
        "response_url": "http://127.0.0.1:9/h",
    }
    body = urlencode(form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **fake.signed_headers(body)}
    url = stack.urls["gateway"] + "/slack/events"
    before = len(stack.fake_slack.calls_to("chat.postEphemeral"))
    assert httpx.post(url, content=body, headers=headers).status_code == 200
    assert httpx.post(url, content=body, headers=headers).status_code == 200  # the replay
    deadline = time.monotonic() + 60
    while len(stack.fake_slack.calls_to("chat.postEphemeral")) == before:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(3)
    assert len(stack.fake_slack.calls_to("chat.postEphemeral")) == before + 1


def test_attacker_rating_a_missing_ticket_is_an_answer_and_leaks_nothing(stack):
    hms = Hms(stack)
    patient, _ = hms.admitted("4B", skip=4)
    ticket = json.dumps({"ticket": f"{patient.full_name} born 1950", "rating": 5})
    payload = "/handoff_rate" + ticket
    response = httpx.post(stack.urls["rest"], json={"text": payload},
                          headers={"Authorization": f"Bearer {stack.token('n.jones')}"},
                          timeout=60)  # fmt: skip
    assert response.status_code == 200, response.text
    assert "rating" in response.text.lower()
    time.sleep(1)
    log = (stack.var_dir / "log" / "gateway.log").read_text(errors="replace")
    assert patient.full_name not in log and patient.family not in log


def test_attacker_far_future_date_is_a_400_from_the_hms(stack):
    response = httpx.get(
        stack.urls["fhir"] + "/Slot",
        params={"start": "ge9999-12-31T23:00:00-05:00"},
        headers={"Authorization": f"Bearer {stack.stack.secrets['HMS_API_TOKEN']}"},
    )
    assert response.status_code == 400


def test_attacker_with_the_database_file_is_caught_against_the_anchor(stack, tmp_path, capsys):
    """Checkpoint the live trail, steal a copy of the database, rewrite it, verify."""
    from sqlalchemy.orm import Session

    from assistant.audit.chain import GENESIS_HASH, legacy_hash, row_fields
    from assistant.store.engine import make_engine
    from assistant.store.models import AuditEventRow

    _rest(stack, "n.jones", "how many free beds on 4B")
    env = {**stack.env, "PYTHONPATH": str(ROOT)}
    anchor = tmp_path / "anchors.jsonl"

    def cli(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
        run_env = dict(env)
        if db is not None:
            run_env["ASSISTANT_DATABASE_URL"] = f"sqlite:///{db}"
        return subprocess.run([sys.executable, "-m", "assistant", "audit", *args], env=run_env,
                              capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip

    made = cli("checkpoint", "--output", str(anchor))
    assert made.returncode == 0, made.stderr
    stolen = tmp_path / "stolen.db"
    with sqlite3.connect(stack.var_dir / "assistant.db") as live, sqlite3.connect(stolen) as out:
        live.backup(out)
    raw = sqlite3.connect(stolen, isolation_level=None)
    raw.execute("DROP TRIGGER audit_event_no_update")
    raw.execute("DROP TRIGGER audit_event_no_delete")
    raw.execute("UPDATE audit_event SET staff = 'p.kim' WHERE seq = 1")
    engine = make_engine(f"sqlite:///{stolen}")
    with Session(engine) as session:
        rows = session.query(AuditEventRow).order_by(AuditEventRow.seq).all()
        prev = GENESIS_HASH
        for row in rows:  # recompute every link with the public, unkeyed algorithm
            row.prev_hash, row.hash, row.key_id = prev, legacy_hash(row_fields(row), prev), None
            prev = row.hash
        session.commit()
    raw.execute("UPDATE audit_chain_head SET last_hash = ?", (prev,))
    engine.dispose()

    alone = cli("verify", db=stolen)
    anchored = cli("verify", "--anchor", str(anchor), db=stolen)
    with capsys.disabled():
        print("\n[attacker] audit verify (no anchor):", alone.stdout.strip())
        print("[attacker] audit verify --anchor:", anchored.stdout.strip())
    assert anchored.returncode == 1
    assert "does NOT match the checkpoint" in anchored.stdout
    shutil.rmtree(tmp_path, ignore_errors=True)
