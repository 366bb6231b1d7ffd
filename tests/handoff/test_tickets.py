from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

import pytest

from assistant.crypto import DataCipher, generate_key
from assistant.handoff.tickets import (
    TicketAlreadyClaimed,
    TicketNotFound,
    TicketStateError,
    TicketStore,
)
from assistant.store import open_store_at

TRANSCRIPT = [
    {
        "role": "user",
        "text": "where is patient Alice Walker, MRN 10004821?",
        "at": "2026-03-01T09:00:00Z",
    },
    {"role": "bot", "text": "I could not find that patient.", "at": "2026-03-01T09:00:01Z"},
]
SUMMARY = {
    "intent": "locate_patient",
    "ward": "4B",
    "note": "asked for patient Alice Walker 10004821",
}


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "assistant.db"


@pytest.fixture
def store(db_path):
    opened = open_store_at(f"sqlite:///{db_path}")
    yield opened
    opened.close()


@pytest.fixture
def tickets(store):
    return TicketStore(store, DataCipher([generate_key()]))


def _open(tickets: TicketStore, conversation: str = "slack:n.jones:D1"):
    return tickets.open_ticket(
        "n.jones", "slack", conversation, "needs a human", SUMMARY, TRANSCRIPT
    )


def test_tickets_open_assigns_id_and_stores_transcript(tickets):
    first, second = _open(tickets), _open(tickets, "slack:n.jones:D2")
    assert (first.ticket_id, second.ticket_id) == ("HD-000001", "HD-000002")
    assert first.status == "open" and first.claimer is None and first.rating is None
    assert tickets.get("HD-000001") == first
    messages = tickets.messages("HD-000001")
    assert [(m["role"], m["text"]) for m in messages] == [
        (t["role"], t["text"]) for t in TRANSCRIPT
    ]
    assert messages[0]["at"].startswith("2026-03-01T09:00:00")


def test_tickets_summary_and_reason_hold_no_mrn_or_patient_name(tickets):
    ticket = tickets.open_ticket(
        "n.jones", "slack", "c1", "patient Alice Walker 10004821 missing", SUMMARY, TRANSCRIPT
    )
    shown = repr(ticket.summary) + ticket.reason + repr(tickets.get(ticket.ticket_id).summary)
    assert "10004821" not in shown and "Alice" not in shown and "Walker" not in shown
    assert ticket.summary["ward"] == "4B" and ticket.summary["intent"] == "locate_patient"


def test_tickets_summary_drops_values_under_phi_keys(tickets):
    summary = {"patient_name": "Alice Walker", "mrn": "10004821", "last_text": "bed for Alice?",
               "ward": "4B", "steps": [{"name": "Bob"}]}  # fmt: skip
    ticket = tickets.open_ticket("n.jones", "slack", "c1", "help", summary, [])
    assert ticket.summary == {"patient_name": "[redacted]", "mrn": "[redacted]",
                              "last_text": "[redacted]", "ward": "4B",
                              "steps": [{"name": "[redacted]"}]}  # fmt: skip


def test_tickets_messages_are_encrypted_in_the_raw_database(tickets, db_path):
    ticket = _open(tickets)
    tickets.add_message(ticket.ticket_id, "agent", "Checking ward 4B for Ms Walker now")
    raw = sqlite3.connect(db_path)
    bodies = [row[0] for row in raw.execute("SELECT body FROM ticket_message")]
    assert len(bodies) == 3
    dump = "\n".join(raw.iterdump())
    for secret in ("Alice", "Walker", "10004821", "Checking ward"):
        assert secret not in dump
    assert tickets.messages(ticket.ticket_id)[-1]["text"] == "Checking ward 4B for Ms Walker now"


def test_tickets_lifecycle_claim_return_resolve_rate(tickets):
    ticket = _open(tickets)
    assert tickets.active_for("slack:n.jones:D1") == ticket
    claimed = tickets.claim(ticket.ticket_id, "h.lee")
    assert (claimed.status, claimed.claimer) == ("claimed", "h.lee")
    assert tickets.open_tickets() == [claimed]
    returned = tickets.return_to_assistant(ticket.ticket_id)
    assert returned.status == "returned"
    assert tickets.active_for("slack:n.jones:D1") is None
    assert tickets.open_tickets() == []
    assert tickets.rate(ticket.ticket_id, 5).rating == 5
    assert tickets.resolve(ticket.ticket_id).status == "resolved"
    with pytest.raises(TicketStateError):
        tickets.return_to_assistant(ticket.ticket_id)


def test_tickets_claim_twice_second_loses_with_claimer(tickets):
    ticket = _open(tickets)
    tickets.claim(ticket.ticket_id, "h.one")
    with pytest.raises(TicketAlreadyClaimed) as lost:
        tickets.claim(ticket.ticket_id, "h.two")
    assert lost.value.ticket is not None and lost.value.ticket.claimer == "h.one"


def test_tickets_concurrent_claims_have_exactly_one_winner(db_path, tickets):
    ticket = _open(tickets)
    agents = [f"agent{i}" for i in range(6)]
    results: dict[str, str] = {}
    barrier = threading.Barrier(len(agents))

    def claim(agent: str) -> None:
        own = TicketStore(open_store_at(f"sqlite:///{db_path}"), DataCipher([generate_key()]))
        barrier.wait()
        try:
            own.claim(ticket.ticket_id, agent)
            results[agent] = "won"
        except TicketAlreadyClaimed:
            results[agent] = "lost"

    threads = [threading.Thread(target=claim, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    winners = [agent for agent, result in results.items() if result == "won"]
    assert len(results) == len(agents) and len(winners) == 1
    assert tickets.get(ticket.ticket_id).claimer == winners[0]


def test_tickets_rate_rejects_out_of_range_and_open_tickets(tickets):
    ticket = _open(tickets)
    with pytest.raises(ValueError):
        tickets.rate(ticket.ticket_id, 6)
    with pytest.raises(TicketStateError):
        tickets.rate(ticket.ticket_id, 4)


def test_tickets_unknown_ids_raise_not_found(tickets):
    for bad in ("HD-000999", "nonsense"):
        with pytest.raises(TicketNotFound):
            tickets.get(bad)
    with pytest.raises(TicketNotFound):
        tickets.claim("HD-000999", "h.lee")
    with pytest.raises(TicketNotFound):
        tickets.add_message("HD-000999", "agent", "hi")


def test_tickets_add_message_rejects_unknown_role(tickets):
    ticket = _open(tickets)
    with pytest.raises(ValueError):
        tickets.add_message(ticket.ticket_id, "admin", "hi")


def test_tickets_add_message_updates_time(store):
    now = [datetime(2026, 3, 1, 9, tzinfo=UTC)]
    tickets = TicketStore(store, DataCipher([generate_key()]), clock=lambda: now[0])
    ticket = _open(tickets)
    now[0] += timedelta(minutes=5)
    tickets.add_message(ticket.ticket_id, "user", "still there?")
    assert tickets.get(ticket.ticket_id).updated_at == now[0]
    assert tickets.messages(ticket.ticket_id)[-1]["at"] == now[0].isoformat()
