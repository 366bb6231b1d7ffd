"""The same store on a real PostgreSQL server (skipped without server binaries)."""

from __future__ import annotations

import multiprocessing
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from assistant.audit import AuditEvent
from assistant.audit.trail import SqlAuditTrail
from assistant.crypto import DataCipher, generate_key
from assistant.handoff.tickets import TicketAlreadyClaimed, TicketStore
from assistant.store import open_store_at
from tests.keys import AUDIT_KEYS

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(postgres_url):
    """A fresh database per test on the session's PostgreSQL server."""
    name = f"assistant_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _event(i: int, staff: str = "n.jones") -> AuditEvent:
    return AuditEvent(staff, "nurse", "rest", "find_free_bed", "action_find_free_bed",
                      "beds:read", "Location/ward-4b", None, "success", detail=str(i))  # fmt: skip


def _writer(url: str, worker: int) -> None:
    store = open_store_at(url)
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    for i in range(30):
        trail.record(_event(i, f"worker{worker}"))
    store.close()


def test_postgres_audit_chain_two_processes_stays_valid(pg_url):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(pg_url, w)) for w in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0]
    store = open_store_at(pg_url)
    result = SqlAuditTrail(store, AUDIT_KEYS).verify()
    assert result.ok and result.checked == 60
    store.close()


def test_postgres_audit_tamper_is_named_and_triggers_refuse_changes(pg_url):
    store = open_store_at(pg_url)
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    for i in range(4):
        trail.record(_event(i))
    with pytest.raises(DBAPIError, match="append-only"), store.write() as session:
        session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    with store.write() as session:
        session.execute(text("DROP TRIGGER audit_event_append_only ON audit_event"))
        session.execute(text("UPDATE audit_event SET role = 'admin' WHERE seq = 3"))
    result = trail.verify()
    assert (result.problem, result.seq) == ("changed", 3)
    store.close()


def test_postgres_concurrent_claims_have_one_winner(pg_url):
    store = open_store_at(pg_url)
    tickets = TicketStore(store, DataCipher([generate_key()]))
    ticket = tickets.open_ticket("n.jones", "slack", "c1", "help", {}, [])
    results: list[str] = []
    barrier = threading.Barrier(4)

    def claim(agent: str) -> None:
        barrier.wait()
        try:
            tickets.claim(ticket.ticket_id, agent)
            results.append("won")
        except TicketAlreadyClaimed:
            results.append("lost")

    threads = [threading.Thread(target=claim, args=(f"a{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["lost", "lost", "lost", "won"]
    store.close()
