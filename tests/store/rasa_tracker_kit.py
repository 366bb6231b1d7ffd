"""Write and load conversations through Rasa's real tracker store class (in .venv-rasa).

``run_rasa(spec, env)`` runs a script with ``.venv-rasa/bin/python`` that opens
``rasa_ext.tracker_store.EncryptedSQLTrackerStore`` with ``spec["store"]`` (SQLite file or
a PostgreSQL URL), saves the conversations in ``spec["write"]`` and loads the senders in
``spec["load"]`` the way Rasa does on each message (last session only), returning what it
loaded. A missing Rasa environment fails under REQUIRE_STACK/REQUIRE_SERVERS, else skips.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"

SCRIPT = r"""
import asyncio, json, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_ext.tracker_store import EncryptedSQLTrackerStore

DOMAIN = "version: '3.1'\nslots:\n  mrn:\n    type: text\n    mappings: []\n"

def events_of(conv):
    out = []
    for session in conv["sessions"]:
        t = session["at"]
        out += [ActionExecuted("action_session_start", timestamp=t),
                SessionStarted(timestamp=t + 0.001)]
        for i, (said, answer) in enumerate(session["turns"]):
            out.append(UserUttered(said, timestamp=t + 1 + i))
            if session.get("mrn"):
                out.append(SlotSet("mrn", session["mrn"], timestamp=t + 1.2 + i))
            out.append(BotUttered(answer, timestamp=t + 1.5 + i))
    return out

async def main(spec):
    domain = Domain.from_yaml(DOMAIN)
    store = EncryptedSQLTrackerStore(domain=domain, **spec["store"])
    for conv in spec.get("write", []):
        tracker = DialogueStateTracker.from_events(conv["sender"], events_of(conv), domain.slots)
        await store.save(tracker)
    loaded = {}
    for sender in spec.get("load", []):
        tracker = await store.retrieve(sender)
        if tracker is None:
            loaded[sender] = None
            continue
        texts = [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]
        loaded[sender] = {"texts": texts, "mrn": tracker.get_slot("mrn")}
    print("RESULT " + json.dumps(loaded))

asyncio.run(main(json.loads(sys.argv[1])))
"""


def require_rasa_env() -> None:
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")


def store_spec(url: str) -> dict[str, Any]:
    """Arguments for EncryptedSQLTrackerStore from a SQLAlchemy URL of the tracker DB."""
    if url.startswith("sqlite:///"):
        return {"dialect": "sqlite", "db": url.removeprefix("sqlite:///")}
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return {"dialect": "postgresql", "host": plain}


def run_rasa(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    require_rasa_env()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_DATA_KEY")}
    full_env.update(env, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false")
    result = subprocess.run(
        [str(RASA_PY), "-c", SCRIPT, json.dumps(spec)],
        env=full_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def conversation(sender: str, *sessions: tuple[float, list[tuple[str, str]], str | None]) -> dict:
    return {
        "sender": sender,
        "sessions": [{"at": at, "turns": turns, "mrn": mrn} for at, turns, mrn in sessions],
    }
