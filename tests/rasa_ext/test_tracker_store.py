"""The Rasa tracker store keeps no clear-text conversation data and its cache is never stale.

Each test runs a script in .venv-rasa (Rasa's Python) against SQLite or a real PostgreSQL.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
pytestmark = pytest.mark.rasa


def _require_rasa() -> None:
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")


PRELUDE = r"""
import asyncio, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet,
    UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_ext.tracker_store import EncryptedSQLTrackerStore

DOMAIN = Domain.from_yaml(
    "version: '3.1'\nslots:\n  mrn:\n    type: text\n    mappings: []\n")

def store():
    return EncryptedSQLTrackerStore(domain=DOMAIN, url_env="TRACKER_DATABASE_URL")

def turn(text, mrn):
    return [ActionExecuted("action_listen"), UserUttered(text), SlotSet("mrn", mrn),
            ActionExecuted("utter_ok"), BotUttered("Zebedee Quill is in 4B bed 6")]
"""

ROUND_TRIP = (
    PRELUDE
    + r"""
async def main():
    first = store()
    tracker = DialogueStateTracker.from_events("rest:n.jones:c1",
        turn("where is patient Zebedee Quill mrn 10004821", "10004821"), DOMAIN.slots)
    await first.save(tracker)
    again = await store().retrieve("rest:n.jones:c1")  # a fresh store reads the database
    assert again.get_slot("mrn") == "10004821", again.current_slot_values()
    assert again.latest_message.text.startswith("where is patient"), again.latest_message.text
    print("ok")

asyncio.run(main())
"""
)

CACHE = (
    PRELUDE
    + r"""
async def main():
    sender = "rest:n.jones:c2"
    mine, other = store(), store()
    tracker = DialogueStateTracker.from_events(sender, turn("first", "1"), DOMAIN.slots)
    await mine.save(tracker)
    loads = []
    original = mine._load
    def counting(*args, **kwargs):
        loads.append(1)
        return original(*args, **kwargs)
    mine._load = counting

    # the worker that saved the turn serves the next from memory, same object
    for text in ("second", "third"):
        cached = await mine.retrieve(sender)
        assert cached is tracker and loads == [], loads
        for event in turn(text, text):
            cached.update(event)
        await mine.save(cached)
    assert mine.cache.hits == 2

    # another worker writes to the conversation (it was re-routed): the cache is not used
    theirs = await other.retrieve(sender)
    assert theirs is not tracker and theirs.get_slot("mrn") == "third"
    for event in turn("fourth", "4"):
        theirs.update(event)
    await other.save(theirs)
    fresh = await mine.retrieve(sender)
    assert fresh is not tracker and fresh.get_slot("mrn") == "4" and loads == [1], loads

    # a turn that failed half-way left unsaved events on the cached object: not reused
    fresh.update(SlotSet("mrn", "unsaved"))
    after_failure = await mine.retrieve(sender)
    assert after_failure is not fresh and after_failure.get_slot("mrn") == "4"

    # every stored event exactly once, in order
    stored = await store().retrieve(sender)
    texts = [e.text for e in stored.events if isinstance(e, UserUttered)]
    assert texts == ["first", "second", "third", "fourth"], texts

    # an erase (rows deleted by the privacy CLI) empties the conversation in the cache too
    with mine.engine.begin() as conn:
        conn.execute(mine._table.delete().where(mine._table.c.sender_id == sender))
    assert await mine.retrieve(sender) is None
    print("ok")

asyncio.run(main())
"""
)

NEW_SESSION = (
    PRELUDE
    + r"""
async def main():
    sender = "rest:n.jones:c3"
    mine = store()
    tracker = DialogueStateTracker.from_events(sender, turn("old", "1"), DOMAIN.slots)
    await mine.save(tracker)
    cached = await mine.retrieve(sender)
    for event in [ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen"), UserUttered("new")]:
        cached.update(event)
    await mine.save(cached)
    current = await mine.retrieve(sender)
    assert current is not cached  # the next turn reads the new session alone
    texts = [e.text for e in current.events if isinstance(e, UserUttered)]
    assert texts == ["new"], texts
    print("ok")

asyncio.run(main())
"""
)

ONE_TURN = (
    PRELUDE
    + r"""
from rasa_ext.tracker_store import one_turn

async def main():
    sender = "rest:n.jones:c4"
    mine, other = store(), store()
    tracker = DialogueStateTracker.from_events(sender, turn("first", "1"), DOMAIN.slots)
    await mine.save(tracker)
    queries = []
    original = mine._last_id
    def counting(conn, sender_id):
        queries.append(sender_id)
        return original(conn, sender_id)
    mine._last_id = counting

    # one turn: the channel's look-up and Rasa's fetch share one check of the database
    with one_turn():
        assert await mine.retrieve(sender) is tracker
        assert await mine.retrieve(sender) is tracker
    assert queries == [sender], queries

    # the next turn checks again: another worker's write is seen, the cache is not used
    theirs = await other.retrieve(sender)
    for event in turn("second", "2"):
        theirs.update(event)
    await other.save(theirs)
    with one_turn():
        fresh = await mine.retrieve(sender)
        assert fresh is not tracker and fresh.get_slot("mrn") == "2"
        assert await mine.retrieve(sender) is fresh
    assert len(queries) == 2, queries

    # outside a turn every retrieve checks
    await mine.retrieve(sender)
    await mine.retrieve(sender)
    assert len(queries) == 4, queries
    print("ok")

asyncio.run(main())
"""
)


def run_script(script: str, url: str, data_key: str) -> None:
    env = {
        **os.environ,
        "ASSISTANT_DATA_KEY": data_key,
        "TRACKER_DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    result = subprocess.run(
        [str(RASA_PY), "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok"), result.stdout


@pytest.fixture
def data_key() -> str:
    return Fernet.generate_key().decode()


def test_tracker_store_encrypts_event_bodies_and_reads_them_back(tmp_path: Path, data_key):
    _require_rasa()
    db = tmp_path / "tracker.db"
    run_script(ROUND_TRIP, f"sqlite:///{db}", data_key)
    raw = sqlite3.connect(db).execute("select group_concat(data, '') from events").fetchone()[0]
    assert "10004821" not in raw
    assert "Zebedee" not in raw
    assert raw.count("enc:") >= 3


def test_tracker_store_cache_serves_next_turn_and_is_dropped_when_stale(tmp_path, data_key):
    _require_rasa()
    run_script(CACHE, f"sqlite:///{tmp_path / 'tracker.db'}", data_key)


def test_tracker_store_new_session_is_read_alone(tmp_path, data_key):
    _require_rasa()
    run_script(NEW_SESSION, f"sqlite:///{tmp_path / 'tracker.db'}", data_key)


def test_tracker_store_checks_the_database_once_per_turn(tmp_path, data_key):
    _require_rasa()
    run_script(ONE_TURN, f"sqlite:///{tmp_path / 'tracker.db'}", data_key)


@pytest.mark.postgres
def test_tracker_store_on_postgresql_encrypted_and_cached(postgres_url: str, data_key):
    _require_rasa()
    run_script(ROUND_TRIP, postgres_url, data_key)
    run_script(CACHE, postgres_url, data_key)
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        raw = "".join(r[0] for r in conn.execute(sa.text("select data from events")))
    engine.dispose()
    assert "10004821" not in raw and "Zebedee" not in raw
    assert raw.count("enc:") >= 3


def test_tracker_store_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    _require_rasa()
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
