"""Audit before write: the guarded path probes the audit trail before ``perform``."""

from __future__ import annotations

from actions.appointments import ActionBookAppointment
from actions.base import AUDIT_DOWN
from actions.beds import ActionCheckBedAvailability, ActionUpdateBedStatus
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


def bed_question():
    return tracker("n.jones", intent="check_bed_availability", slots={"ward": "4B"})


async def test_base_read_only_intent_is_not_probed_and_answers_when_its_event_is_written():
    svc = make_services(audit=InMemoryAuditSink(check_fails=True))
    set_services(svc)
    messages, _ = await run(ActionCheckBedAvailability(), bed_question())
    assert messages and messages[0]["text"] != AUDIT_DOWN
    assert messages[0]["custom"]["kind"].startswith("check_bed_availability")
    [event] = svc.audit.events
    assert (event.intent, event.outcome) == ("check_bed_availability", "success")


async def test_base_read_only_intent_answer_is_withheld_when_its_event_cannot_be_written(
    tmp_path,
):
    path = tmp_path / "assistant.db"
    open_store_at(f"sqlite:///{path}").close()
    store = open_store_at(f"sqlite:///file:{path}?mode=ro&uri=true", migrate=False)
    try:
        svc = make_services(audit=SqlAuditTrail(store, AUDIT_KEYS))
        set_services(svc)
        messages, _ = await run(ActionCheckBedAvailability(), bed_question())
    finally:
        store.close()
    assert [m["text"] for m in messages] == [AUDIT_DOWN]
    assert not any(m.get("custom") for m in messages)  # no bed data went out


def test_base_read_only_intents_are_the_catalogs_questions():
    from intents.catalog import load_catalog

    read_only = {i.name for i in load_catalog().tasks() if i.read_only}
    assert "check_bed_availability" in read_only and "find_patient" in read_only
    writes = {"book_appointment", "cancel_appointment", "update_bed_status", "request_help"}
    assert not read_only & writes  # every write is probed
