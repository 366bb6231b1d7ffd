from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from assistant.__main__ import main
from assistant.audit import AuditEvent
from assistant.audit.trail import SqlAuditTrail
from assistant.crypto import DataCipher, generate_key, key_id
from assistant.handoff.tickets import TicketStore
from assistant.store.privacy import erase_staff, export_staff, purge_messages, rotate_keys
from tests.keys import AUDIT_KEYS

OLD = datetime(2026, 1, 1, 9, tzinfo=UTC)
NEW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _line(role: str, text: str, at: datetime) -> dict:
    return {"role": role, "text": text, "at": at.isoformat()}


def _event(staff: str) -> AuditEvent:
    return AuditEvent(staff, "nurse", "slack", "find_free_bed", "action_find_free_bed",
                      "beds:read", "Location/ward-4b", None, "success")  # fmt: skip


@pytest.fixture
def seeded(store, cipher):
    tickets = TicketStore(store, cipher)
    mine = tickets.open_ticket(
        "n.jones", "slack", "slack:n.jones:D1", "help", {"ward": "4B"},
        [_line("user", "old question about bed 6", OLD), _line("bot", "new answer", NEW)],
    )  # fmt: skip
    other = tickets.open_ticket(
        "a.smith", "kiosk", "kiosk:a.smith:k1", "help", {}, [_line("user", "a.smith text", NEW)]
    )
    tickets.claim(other.ticket_id, "n.jones")
    tickets.add_message(other.ticket_id, "agent", "n.jones agent reply")
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    trail.record(_event("n.jones"))
    trail.record(_event("a.smith"))
    return tickets, mine, other, trail


def test_purge_deletes_only_messages_older_than_retention(store, seeded):
    tickets, mine, _, trail = seeded
    assert purge_messages(store, 30, now=NEW + timedelta(days=1)) == 1
    assert [m["text"] for m in tickets.messages(mine.ticket_id)] == ["new answer"]
    assert trail.verify().checked == 2  # audit events kept


def test_export_staff_holds_tickets_messages_and_audit(store, cipher, seeded):
    data = export_staff(store, cipher, "n.jones")
    ids = [t["ticket_id"] for t in data["tickets"]]
    assert ids == ["HD-000001", "HD-000002"]
    own, claimed = data["tickets"]
    assert [m["text"] for m in own["messages"]] == ["old question about bed 6", "new answer"]
    assert [m["text"] for m in claimed["messages"]] == ["n.jones agent reply"]
    assert [e["staff"] for e in data["audit_events"]] == ["n.jones"]
    json.dumps(data)


def test_erase_staff_removes_conversations_pseudonymises_and_keeps_audit(store, cipher, seeded):
    tickets, mine, other, trail = seeded
    result = erase_staff(store, cipher, "n.jones")
    assert result.messages_deleted == 2 and result.tickets == 2
    assert tickets.messages(mine.ticket_id) == []
    erased = tickets.get(mine.ticket_id)
    assert erased.requester == result.pseudonym and "n.jones" not in erased.conversation_id
    assert tickets.get(other.ticket_id).claimer == result.pseudonym
    assert len(tickets.messages(other.ticket_id)) == 2  # the other requester's data stays
    after = export_staff(store, cipher, "n.jones")
    assert after["tickets"] == [] and len(after["audit_events"]) == 1
    assert trail.verify().ok


def test_rotate_keys_reencrypts_rows_with_newest_key(store, db_url):
    old, new = generate_key(), generate_key()
    tickets = TicketStore(store, DataCipher([old]))
    ticket = tickets.open_ticket("n.jones", "slack", "c", "r", {}, [_line("user", "hello", NEW)])
    result = rotate_keys(store, DataCipher([new, old]))
    assert (result.rotated, result.remaining_old) == (1, 0)
    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    assert {row[0] for row in raw.execute("SELECT key_id FROM ticket_message")} == {key_id(new)}
    only_new = TicketStore(store, DataCipher([new]))
    assert only_new.messages(ticket.ticket_id)[0]["text"] == "hello"


@pytest.fixture
def cli_env(tmp_path, monkeypatch, db_url, store, seeded, cipher):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", db_url)
    return monkeypatch


def test_cli_privacy_export_prints_json(cli_env, data_key, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_KEY", data_key)
    assert main(["privacy", "export", "--staff", "n.jones"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["staff"] == "n.jones" and len(data["tickets"]) == 2


def test_cli_privacy_rotate_purge_erase(cli_env, data_key, capsys, monkeypatch, db_url):
    new = generate_key()
    monkeypatch.setenv("ASSISTANT_DATA_KEY", f"{new},{data_key}")
    assert main(["privacy", "rotate-key"]) == 0
    assert "4 ticket messages" in capsys.readouterr().out
    monkeypatch.setenv("ASSISTANT_DATA_KEY", new)
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "0")
    assert main(["privacy", "purge"]) == 0
    assert "4 ticket messages" in capsys.readouterr().out
    assert main(["privacy", "erase", "--staff", "n.jones"]) == 0
    assert "audit events kept" in capsys.readouterr().out
    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    assert raw.execute(
        "SELECT count(*) FROM helpdesk_ticket WHERE requester='n.jones'"
    ).fetchone() == (0,)
    assert raw.execute("SELECT count(*) FROM audit_event").fetchone() == (2,)


def test_cli_privacy_erase_help_documents_audit_choice(capsys):
    with pytest.raises(SystemExit):
        main(["privacy", "erase", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Audit events are KEPT" in out and "legal obligation" in out


def test_cli_privacy_without_data_key_reports_and_exits_2(cli_env, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_KEY", "")
    assert main(["privacy", "export", "--staff", "n.jones"]) == 2
    assert "no data key configured" in capsys.readouterr().err


def test_kiosk_queue_legacy_rows_are_sealed_by_rotation_and_erased(store, db_url):
    from assistant.channels.kiosk.downtime import HelpQueue
    from assistant.store.models import KioskQueuedHelp
    from assistant.store.privacy_ops import erase_everywhere, rotate_everywhere
    from assistant.store.tracker import open_tracker

    old, new = generate_key(), generate_key()
    with store.write() as session:  # queued before encryption (revision 0004 and earlier)
        session.add(KioskQueuedHelp(staff="n.jones", help_type="porter", location_id="bed-4b-06",
                                    priority="urgent", description="Zebedee to x-ray",
                                    queued_at=1.0, attempts=0))  # fmt: skip
    HelpQueue(store.engine, lambda: 2.0, lambda: DataCipher([old])).put(
        "a.smith", {"help_type": "it", "help_description": "printer"}
    )
    tracker = open_tracker(f"sqlite:///{db_url.removeprefix('sqlite:///')}.none")
    report = rotate_everywhere(store, tracker, DataCipher([new, old]))
    assert report.kiosk_rotated == 2 and report.census["kiosk_queue"].current == 2
    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    assert raw.execute("SELECT count(*) FROM kiosk_help_queue WHERE description IS NOT NULL "
                       "OR body LIKE '%Zebedee%'").fetchone() == (0,)  # fmt: skip
    queue = HelpQueue(store.engine, lambda: 3.0, lambda: DataCipher([new]))
    assert [(q.staff, q.slots.get("bed"), q.slots.get("help_description")) for q in
            queue.pending()] == [("n.jones", "4B-06", "Zebedee to x-ray"),
                                 ("a.smith", None, "printer")]  # fmt: skip
    erased = erase_everywhere(store, tracker, DataCipher([new]), "n.jones")
    assert erased.kiosk_queue == 1 and [q.staff for q in queue.pending()] == ["a.smith"]
