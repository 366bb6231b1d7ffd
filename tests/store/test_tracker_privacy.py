"""Rasa's tracker store under rotation, retention and erasure (SQLite and PostgreSQL).

Conversations are written and loaded through the real ``EncryptedSQLTrackerStore`` class
in ``.venv-rasa`` (``rasa_tracker_kit``); the privacy operations run from the app
environment on the same database.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from assistant.__main__ import main
from assistant.crypto import DataCipher, generate_key, key_id
from assistant.store.privacy_ops import erase_everywhere, purge_everywhere, rotate_everywhere
from assistant.store.tracker import open_tracker, tracker_census
from tests.store.rasa_tracker_kit import conversation, run_rasa, store_spec

DAY = 86400.0
NOW = time.time()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tracker_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"tracker_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _write(url: str, keys: str, *convs: dict, load: tuple[str, ...] = ()) -> dict:
    spec = {"store": store_spec(url), "write": list(convs), "load": list(load)}
    return run_rasa(spec, {"ASSISTANT_DATA_KEY": keys})


def test_tracker_rotation_then_old_key_removed_old_conversation_still_loads(tracker_url, store):
    old, new = generate_key(), generate_key()
    jones = conversation(
        "rest:n.jones:c1", (NOW - 60, [("where is mrn 10004821", "Bed 4B-06")], "10004821")
    )
    patel = conversation("slack:dr.patel:D1", (NOW - 30, [("free beds on 7", "3 free")], None))
    _write(tracker_url, old, jones, patel)
    tracker = open_tracker(tracker_url)
    before = tracker_census(tracker, DataCipher([new, old]))
    assert before.old == {key_id(old): before.total} and not before.removable

    report = rotate_everywhere(store, tracker, DataCipher([new, old]), batch=3)

    assert report.tracker.rotated == before.total and report.removable
    assert report.census["tracker_events"].current == before.total
    loaded = run_rasa(
        {"store": store_spec(tracker_url), "load": ["rest:n.jones:c1", "slack:dr.patel:D1"]},
        {"ASSISTANT_DATA_KEY": new},  # the old key is gone
    )
    assert loaded["rest:n.jones:c1"] == {
        "texts": ["where is mrn 10004821", "Bed 4B-06"],
        "mrn": "10004821",
    }
    assert loaded["slack:dr.patel:D1"]["texts"] == ["free beds on 7", "3 free"]
    tracker.close()


def test_tracker_rotation_is_not_removable_while_rasa_still_writes_old_key(tracker_url, store):
    old, new = generate_key(), generate_key()
    _write(tracker_url, old, conversation("rest:n.jones:c1", (NOW, [("hi", "hello")], None)))
    tracker = open_tracker(tracker_url)
    assert rotate_everywhere(store, tracker, DataCipher([new, old])).removable
    # Rasa was not restarted with the new key and writes another conversation
    _write(tracker_url, old, conversation("rest:p.kim:c2", (NOW, [("hi", "hello")], None)))
    report = rotate_everywhere(store, tracker, DataCipher([new, old]))
    assert report.tracker.rotated == 4 and report.removable  # caught and rotated
    _write(tracker_url, old, conversation("rest:p.kim:c3", (NOW, [("x", "y")], None)))
    census = tracker_census(tracker, DataCipher([new, old]))
    assert census.old == {key_id(old): 4} and not census.removable
    tracker.close()


def test_tracker_erase_removes_only_that_staff_members_conversations(tracker_url, store, cipher):
    key = cipher.current_key_id and generate_key()
    convs = [
        conversation("rest:n.jones:c1", (NOW, [("porter to bed 6", "HR-000001")], None)),
        conversation("kiosk:n.jones:k9", (NOW, [("free beds", "3 free")], None)),
        conversation("rest:n_jones:c1", (NOW, [("look-alike", "kept")], None)),
        conversation("slack:dr.patel:D1:n.jones:x", (NOW, [("other staff", "kept")], None)),
    ]
    _write(tracker_url, key, *convs)
    tracker = open_tracker(tracker_url)
    report = erase_everywhere(store, tracker, DataCipher([key]), "n.jones")
    assert (report.tracker.conversations, report.tracker.events) == (2, 2 * 4)
    loaded = run_rasa(
        {"store": store_spec(tracker_url), "load": [c["sender"] for c in convs]},
        {"ASSISTANT_DATA_KEY": key},
    )
    assert loaded["rest:n.jones:c1"] is None and loaded["kiosk:n.jones:k9"] is None
    assert loaded["rest:n_jones:c1"]["texts"] == ["look-alike", "kept"]
    assert loaded["slack:dr.patel:D1:n.jones:x"]["texts"] == ["other staff", "kept"]
    tracker.close()


def test_tracker_purge_deletes_sessions_past_retention(tracker_url, store):
    key = generate_key()
    old_only = conversation("rest:p.kim:old", (NOW - 40 * DAY, [("old", "gone")], None))
    mixed = conversation(
        "rest:n.jones:mixed",
        (NOW - 45 * DAY, [("first session", "gone too")], "10004821"),
        (NOW - 10 * DAY, [("second session", "kept")], None),
    )
    straddling = conversation(  # session started before the cutoff, still going after it
        "rest:b.okoro:live",
        (NOW - 31 * DAY, [("started long ago", "kept")] * 1, None),
    )
    _write(tracker_url, key, old_only, mixed, straddling)
    _write(tracker_url, key)  # nothing else
    tracker = open_tracker(tracker_url)
    engine = tracker.engine
    assert engine is not None
    with engine.begin() as conn:  # the straddling conversation had a turn yesterday
        conn.execute(
            text("UPDATE events SET timestamp = :t WHERE sender_id = 'rest:b.okoro:live' "
                 "AND type_name = 'bot'"),
            {"t": NOW - DAY},
        )  # fmt: skip
    report = purge_everywhere(store, tracker, 30)
    assert report.tracker.conversations == 1  # rest:p.kim:old
    assert report.tracker.events == 4 + 5  # old conversation + first session of "mixed"
    loaded = run_rasa(
        {"store": store_spec(tracker_url), "load": [c["sender"] for c in (old_only, mixed,
                                                                           straddling)]},
        {"ASSISTANT_DATA_KEY": key},
    )  # fmt: skip
    assert loaded["rest:p.kim:old"] is None
    assert loaded["rest:n.jones:mixed"]["texts"] == ["second session", "kept"]
    assert loaded["rest:b.okoro:live"]["texts"] == ["started long ago", "kept"]
    with engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM events WHERE sender_id = 'rest:n.jones:mixed'")
        ).scalar()
    assert left == 4  # only the second session's events
    tracker.close()


@pytest.mark.rasa
def test_tracker_store_reads_the_data_key_file(tmp_path):
    key_file = tmp_path / "data.key"
    key = generate_key()
    key_file.write_text(f"# newest first\n{key}\n")
    url = f"sqlite:///{tmp_path / 't.db'}"
    loaded = run_rasa(
        {
            "store": store_spec(url),
            "write": [conversation("rest:n.jones:c1", (NOW, [("hi", "hello")], None))],
            "load": ["rest:n.jones:c1"],
        },
        {"ASSISTANT_DATA_KEY_FILE": str(key_file)},
    )
    assert loaded["rest:n.jones:c1"]["texts"] == ["hi", "hello"]
    raw = sqlite3.connect(tmp_path / "t.db").execute("SELECT data FROM events").fetchall()
    assert all(row[0].startswith("enc:") for row in raw)
    assert DataCipher([key]).decrypt(raw[0][0].removeprefix("enc:"))


def test_cli_privacy_reports_every_place(tmp_path, monkeypatch, capsys, db_url, store):
    old, new = generate_key(), generate_key()
    url = f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
    _write(url, old, conversation("rest:n.jones:c1", (NOW, [("hi", "hello")], None)))
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("ASSISTANT_DATA_KEY", f"{new},{old}")
    assert main(["privacy", "rotate-key"]) == 0
    out = capsys.readouterr().out
    assert "4 tracker events" in out and "can be removed" in out
    with sqlite3.connect(tmp_path / "rasa_tracker.db") as raw:  # a row only an unknown key opens
        raw.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES "
                    "('rest:x:y', 'user', 1.0, :d)",
                    {"d": "enc:" + DataCipher([generate_key()]).encrypt("{}")})  # fmt: skip
    assert main(["privacy", "rotate-key"]) == 1
    captured = capsys.readouterr()
    assert "1 that no configured key opens" in captured.out and "STILL NEEDED" in captured.err
    monkeypatch.setenv("ASSISTANT_DATA_KEY", new)
    assert main(["privacy", "export", "--staff", "n.jones"]) == 0  # subject access
    exported = json.loads(capsys.readouterr().out)
    assert exported["conversations"] == [
        {"conversation": "rest:n.jones:c1",
         "messages": [{"from": "user", "text": "hi", "at": pytest.approx(NOW + 1)},
                      {"from": "bot", "text": "hello", "at": pytest.approx(NOW + 1.5)}]}
    ]  # fmt: skip
    assert main(["privacy", "erase", "--staff", "n.jones"]) == 0
    out = capsys.readouterr().out
    assert "1 conversations (4 events) from the tracker store" in out


class Interrupted(Exception):
    pass


def test_tracker_rotation_resumes_after_an_interruption(tracker_url, store, monkeypatch):
    import assistant.store.privacy_ops as ops

    old, new = generate_key(), generate_key()
    convs = [conversation(f"rest:n.jones:c{i}", (NOW, [("hi", "hello")], None)) for i in range(3)]
    _write(tracker_url, old, *convs)  # 12 events
    tracker = open_tracker(tracker_url)
    saved = ops._save_progress
    calls: list[int] = []

    def crash_after_two(store_, key, position):
        saved(store_, key, position)
        calls.append(position)
        if len(calls) == 2:
            raise Interrupted  # e.g. the operator's session ends mid-run

    monkeypatch.setattr(ops, "_save_progress", crash_after_two)
    with pytest.raises(Interrupted):
        rotate_everywhere(store, tracker, DataCipher([new, old]), batch=4)
    monkeypatch.setattr(ops, "_save_progress", saved)
    half = tracker_census(tracker, DataCipher([new, old]))
    assert (half.current, half.old_total) == (8, 4)

    report = rotate_everywhere(store, tracker, DataCipher([new, old]), batch=4)

    assert report.resumed_from == calls[-1] and report.tracker.scanned == 4
    assert report.tracker.rotated == 4 and report.removable
