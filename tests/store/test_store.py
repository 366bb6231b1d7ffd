from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from assistant.config import get_settings
from assistant.store import StoreError, open_store, open_store_at
from assistant.store.migrate import current_revision, head_revision

TABLES = {"audit_event", "audit_chain_head", "helpdesk_ticket", "ticket_message", "revoked_token"}


def test_open_store_migrates_empty_sqlite_to_head(tmp_path):
    store = open_store_at(f"sqlite:///{tmp_path / 'sub' / 'assistant.db'}")
    assert TABLES <= set(inspect(store.engine).get_table_names())
    assert current_revision(store.engine) == head_revision()
    with store.read() as session:
        head = session.execute(text("SELECT last_seq FROM audit_chain_head WHERE id = 1")).scalar()
    assert head == 0
    store.close()


def test_open_store_sets_wal_and_busy_timeout(store):
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_open_store_reads_url_from_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("ASSISTANT_DATABASE_URL", raising=False)
    store = open_store(get_settings())
    assert (tmp_path / "assistant.db").exists()
    assert store.dialect == "sqlite"
    store.close()


def test_open_store_reopen_keeps_data(db_url, store):
    with store.write() as session:
        session.execute(text("INSERT INTO revoked_token VALUES ('j1', '2030-01-01 00:00:00')"))
    again = open_store_at(db_url)
    with again.read() as session:
        assert session.execute(text("SELECT jti FROM revoked_token")).scalars().all() == ["j1"]
    again.close()


def test_open_store_unusable_path_raises_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        open_store_at(f"sqlite:///{blocker / 'assistant.db'}")


def test_store_write_holds_the_write_lock_from_begin(db_url, store):
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0.1, isolation_level=None)
    with store.write() as session:
        session.execute(text("SELECT 1")).scalar()  # the transaction starts on first use
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_store_read_does_not_take_the_write_lock(db_url, store):
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0.1, isolation_level=None)
    with store.read() as session:
        session.execute(text("SELECT count(*) FROM helpdesk_ticket")).scalar()
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    other.close()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET staff='x'", "DELETE FROM audit_event"]
)
def test_audit_event_table_refuses_update_and_delete(store, statement):
    with store.write() as session:
        session.execute(
            text(
                "INSERT INTO audit_event (seq, at, staff, role, channel, intent, action, outcome,"
                " detail, prev_hash, hash) VALUES (1, '2026-01-01 00:00:00', 'a', 'nurse', 'rest',"
                " 'i', 'a', 'success', '', 'p', 'h')"
            )
        )
    with pytest.raises(DBAPIError, match="append-only"), store.write() as session:
        session.execute(text(statement))


def _open_and_count(url: str, queue) -> None:
    store = open_store_at(url)
    with store.read() as session:
        queue.put(session.execute(text("SELECT count(*) FROM audit_chain_head")).scalar())
    store.close()


def test_open_store_two_processes_migrate_empty_file_once(db_url):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_open_and_count, args=(db_url, queue)) for _ in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0, 0]
    assert sorted(queue.get(timeout=5) for _ in procs) == [1, 1]
