from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.auditevent import AuditEvent as FhirAuditEvent

from assistant.audit import AuditEvent, AuditWriteError, InMemoryAuditSink, open_audit_sink
from assistant.audit.trail import SqlAuditTrail
from assistant.config import get_settings
from assistant.store import open_store_at
from tests.keys import AUDIT_KEYS


def make_event(i: int = 0, **overrides) -> AuditEvent:
    fields = dict(
        staff="n.jones",
        role="nurse",
        channel="slack",
        intent="find_free_bed",
        action="action_find_free_bed",
        permission="beds:read",
        resource="Location/ward-4b",
        patient_ref=None,
        outcome="success",
        detail=f"event {i}",
    )
    fields.update(overrides)
    return AuditEvent(**fields)  # type: ignore[arg-type]


def _raw(db_url: str) -> sqlite3.Connection:
    """A raw connection as an attacker would have one: guard triggers dropped."""
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    return conn


def _fill(trail: SqlAuditTrail, count: int = 6) -> None:
    for i in range(count):
        trail.record(make_event(i))


def test_trail_records_chained_events_that_verify(trail, db_url):
    _fill(trail, 3)
    result = trail.verify()
    assert result.ok and result.checked == 3
    rows = (
        _raw(db_url).execute("SELECT seq, prev_hash, hash FROM audit_event ORDER BY seq").fetchall()
    )
    assert [r[0] for r in rows] == [1, 2, 3]
    assert rows[0][1] == "0" * 64
    assert rows[1][1] == rows[0][2] and rows[2][1] == rows[1][2]
    assert result.head_hash == rows[2][2] and rows[2][2] in result.message


def test_trail_verify_empty_is_ok(trail):
    assert trail.verify().ok


def test_trail_verify_names_changed_event(trail, db_url):
    _fill(trail)
    _raw(db_url).execute("UPDATE audit_event SET outcome = 'denied' WHERE seq = 4")
    result = trail.verify()
    assert (result.ok, result.problem, result.seq) == (False, "changed", 4)
    assert "event 4" in result.message


def test_trail_verify_names_changed_time(trail, db_url):
    _fill(trail)
    _raw(db_url).execute("UPDATE audit_event SET at = '2020-01-01 00:00:00.000000' WHERE seq = 2")
    assert (trail.verify().problem, trail.verify().seq) == ("changed", 2)


def test_trail_verify_names_removed_event(trail, db_url):
    _fill(trail)
    _raw(db_url).execute("DELETE FROM audit_event WHERE seq = 3")
    result = trail.verify()
    assert (result.problem, result.seq) == ("removed", 3)


def test_trail_verify_names_removed_event_after_renumbering(trail, db_url):
    _fill(trail)
    conn = _raw(db_url)
    conn.execute("DELETE FROM audit_event WHERE seq = 3")
    conn.execute("UPDATE audit_event SET seq = seq - 1 WHERE seq > 3")
    conn.execute("UPDATE audit_chain_head SET last_seq = last_seq - 1")
    assert (trail.verify().problem, trail.verify().seq) == ("removed", 3)


def test_trail_verify_names_removed_last_event(trail, db_url):
    _fill(trail)
    _raw(db_url).execute("DELETE FROM audit_event WHERE seq = 6")
    result = trail.verify()
    assert (result.problem, result.seq) == ("removed", 6)


def test_trail_verify_names_reordered_events(trail, db_url):
    _fill(trail)
    conn = _raw(db_url)
    conn.execute("UPDATE audit_event SET seq = -1 WHERE seq = 2")
    conn.execute("UPDATE audit_event SET seq = 2 WHERE seq = 5")
    conn.execute("UPDATE audit_event SET seq = 5 WHERE seq = -1")
    result = trail.verify()
    assert (result.problem, result.seq) == ("reordered", 2)


def test_trail_keeps_appending_after_verify(trail):
    _fill(trail, 2)
    trail.verify()
    trail.record(make_event(9))
    assert trail.verify().checked == 3


def _writer(db_url: str, worker: int, count: int) -> None:
    store = open_store_at(db_url)
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    for i in range(count):
        trail.record(make_event(i, staff=f"worker{worker}"))
    store.close()


def test_trail_two_processes_writing_at_once_stay_chained(db_url):
    open_store_at(db_url).close()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(db_url, w, 40)) for w in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0]
    trail = SqlAuditTrail(open_store_at(db_url), AUDIT_KEYS)
    result = trail.verify()
    assert result.ok and result.checked == 80
    staff = [row.staff for row in trail.events()]
    assert staff.count("worker0") == staff.count("worker1") == 40


def test_trail_read_only_database_raises_audit_write_error(db_url):
    open_store_at(db_url).close()
    path = db_url.removeprefix("sqlite:///")
    trail = SqlAuditTrail(open_store_at(f"sqlite:///file:{path}?mode=ro&uri=true"), AUDIT_KEYS)
    with pytest.raises(AuditWriteError):
        trail.record(make_event())


def test_trail_missing_table_raises_audit_write_error(trail, db_url):
    _raw(db_url).execute("DROP TABLE audit_event")
    with pytest.raises(AuditWriteError):
        trail.record(make_event())


def test_open_audit_sink_unusable_store_raises_audit_write_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{blocker / 'a.db'}")
    with pytest.raises(AuditWriteError):
        open_audit_sink(get_settings())


def test_open_audit_sink_writes_to_settings_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    sink = open_audit_sink(get_settings())
    sink.record(make_event())
    assert sink.verify().checked == 1


def test_in_memory_sink_records_and_fails_on_demand():
    sink = InMemoryAuditSink()
    sink.record(make_event(1))
    assert [e.detail for e in sink.events] == ["event 1"]
    sink.fail = True
    with pytest.raises(AuditWriteError):
        sink.record(make_event(2))


def test_audit_event_rejects_unknown_outcome():
    with pytest.raises(ValueError):
        make_event(outcome="maybe")


def test_audit_event_is_frozen():
    event = make_event()
    with pytest.raises(AttributeError):
        event.staff = "x"  # type: ignore[misc]


def test_trail_events_window_is_half_open(trail):
    _fill(trail, 4)  # at 09:00:01 .. 09:00:04
    start = datetime(2026, 3, 1, 9, 0, 2, tzinfo=UTC)
    end = datetime(2026, 3, 1, 9, 0, 4, tzinfo=UTC)
    assert [row.seq for row in trail.events(start, end)] == [2, 3]


def test_trail_export_fhir_validates_as_r4_audit_event(trail):
    trail.record(make_event(0))
    trail.record(
        AuditEvent(
            staff="s.patel",
            role="scheduler",
            channel="kiosk",
            intent="book_appointment",
            action="action_book_appointment",
            permission="appointments:book",
            resource="Slot/slot-17",
            patient_ref="Patient/pat-3",
            outcome="conflict",
            reason="slot no longer free",
        )
    )
    trail.record(make_event(2, outcome="error", permission=None, action="action_misc"))
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    exported = list(trail.export_fhir(start, end))
    models = [FhirAuditEvent.model_validate(item) for item in exported]
    assert [m.action for m in models] == ["R", "C", "E"]
    assert [m.outcome for m in models] == ["0", "4", "8"]
    booking: Any = models[1]  # the FHIR model types every field optional
    assert booking.agent[0].who.identifier.system == "urn:hms:staff"
    assert booking.agent[0].who.identifier.value == "s.patel"
    assert booking.agent[0].role[0].coding[0].code == "scheduler"
    refs = [e.what.reference for e in booking.entity if e.what is not None]
    assert refs == ["Slot/slot-17", "Patient/pat-3"]
    assert booking.subtype[0].code == "book_appointment"
    assert booking.recorded.isoformat().startswith("2026-03-01T09:00:02")


def test_trail_scrubs_phi_from_free_text(trail, make_event):
    trail.record(
        make_event(detail="no bed for patient Alice Walker 10004821", reason="MRN 10004821")
    )
    row = trail.events()[0]
    assert (row.detail, row.reason) == ("no bed for patient [name] [mrn]", "MRN [mrn]")
    assert trail.verify().ok
