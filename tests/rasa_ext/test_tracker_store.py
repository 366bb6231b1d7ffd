"""The Rasa tracker store keeps no clear-text conversation data (run in .venv-rasa)."""

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
pytestmark = pytest.mark.rasa

SCRIPT = r"""
import asyncio, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered, BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_ext.tracker_store import EncryptedSQLTrackerStore

async def main(db):
    domain = Domain.from_yaml("version: '3.1'\nslots:\n  mrn:\n    type: text\n    mappings: []\n")
    store = EncryptedSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    tracker = DialogueStateTracker.from_events("rest:n.jones:c1", [
        UserUttered("where is patient Zebedee Quill mrn 10004821"),
        SlotSet("mrn", "10004821"),
        BotUttered("Zebedee Quill is in 4B bed 6"),
    ], domain.slots)
    await store.save(tracker)
    again = await store.retrieve("rest:n.jones:c1")
    assert again.get_slot("mrn") == "10004821", again.current_slot_values()
    assert again.latest_message.text.startswith("where is patient"), again.latest_message.text
    print("ok")

asyncio.run(main(sys.argv[1]))
"""


def test_tracker_store_encrypts_event_bodies_and_reads_them_back(tmp_path: Path) -> None:
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")
    db = tmp_path / "tracker.db"
    env = {
        **os.environ,
        "ASSISTANT_DATA_KEY": Fernet.generate_key().decode(),
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    result = subprocess.run(
        [str(RASA_PY), "-c", SCRIPT, str(db)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
    raw = sqlite3.connect(db).execute("select group_concat(data, '') from events").fetchone()[0]
    assert "10004821" not in raw
    assert "Zebedee" not in raw
    assert raw.count("enc:") >= 3


def test_tracker_store_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_DATA_KEY"}
    env.update(PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false")
    code = (
        "from rasa_ext.tracker_store import EncryptedSQLTrackerStore as S\n"
        f"S(dialect='sqlite', db={str(tmp_path / 'x.db')!r})"
    )
    result = subprocess.run(
        [str(RASA_PY), "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0
    assert "ASSISTANT_DATA_KEY" in result.stderr
