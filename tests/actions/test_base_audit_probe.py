"""Audit before write: the guarded path probes the audit trail before ``perform``."""

from __future__ import annotations

from actions.appointments import ActionBookAppointment
from actions.base import AUDIT_DOWN
from actions.beds import ActionUpdateBedStatus
from actions.services import set_services
from assistant.audit import InMemoryAuditSink
from assistant.audit.trail import SqlAuditTrail
from assistant.store import open_store_at
from tests.actions.fakes import make_services, only_resets, run, tracker
from tests.keys import AUDIT_KEYS


def bed_update():
    return tracker(
        "n.jones",
        intent="update_bed_status",
        slots={"ward": "4B", "bed": "2", "bed_status": "needs cleaning"},
    )


def only_staff_lookups(calls):
    return all(name == "find_staff" for name, _ in calls)


async def test_base_probe_failure_refuses_before_any_hms_write():
    svc = make_services(audit=InMemoryAuditSink(check_fails=True))
    set_services(svc)
    messages, events = await run(ActionUpdateBedStatus(), bed_update())
    assert [m["text"] for m in messages] == [AUDIT_DOWN]
    assert messages[0]["buttons"][0]["payload"] == "/talk_to_human"
    assert only_resets(events) and only_staff_lookups(svc.hms.calls)
    assert svc.hms.beds[1].status == "U"
    [event] = svc.audit.events  # record still works here: the refusal itself is audited
    assert (event.outcome, event.reason) == ("error", "audit_down")


async def test_base_probe_failure_blocks_booking():
    svc = make_services(audit=InMemoryAuditSink(check_fails=True))
    set_services(svc)
    trk = tracker(
        "s.ali",
        intent="affirm",
        slots={
            "pending": "book_confirm",
            "slot_id": "slot-0",
            "mrn": "10004821",
            "patient_name": "Mary Smith",
            "department": "cardiology",
        },
    )
    messages, _ = await run(ActionBookAppointment(), trk)
    assert messages[0]["text"] == AUDIT_DOWN
    assert svc.hms.appointments == [] and only_staff_lookups(svc.hms.calls)


async def test_base_read_only_sql_trail_refuses_and_hms_sees_no_write(tmp_path):
    path = tmp_path / "assistant.db"
    open_store_at(f"sqlite:///{path}").close()
    store = open_store_at(f"sqlite:///file:{path}?mode=ro&uri=true", migrate=False)
    try:
        svc = make_services(audit=SqlAuditTrail(store, AUDIT_KEYS))
        set_services(svc)
        messages, _ = await run(ActionUpdateBedStatus(), bed_update())
    finally:
        store.close()
    assert messages[0]["text"] == AUDIT_DOWN
    assert only_staff_lookups(svc.hms.calls) and svc.hms.beds[1].status == "U"


async def test_base_writable_sql_trail_runs_and_records_one_event(tmp_path):
    store = open_store_at(f"sqlite:///{tmp_path / 'assistant.db'}")
    try:
        svc = make_services(audit=SqlAuditTrail(store, AUDIT_KEYS))
        set_services(svc)
        messages, _ = await run(ActionUpdateBedStatus(), bed_update())
        [row] = svc.audit.events()
    finally:
        store.close()
    assert "is now waiting for cleaning" in messages[0]["text"]
    assert (row.outcome, row.resource) == ("success", "Location/bed-4b-02")
    assert svc.hms.beds[1].status == "H"
