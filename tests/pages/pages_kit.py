"""A gateway with a scripted assistant, a fake HMS staff directory and a real store.

The scripted assistant answers each known text with replies of a known ``custom.kind``,
so a "known run" gives known dashboard figures. Used by the pages tests and the
dashboard's Chromium test.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.audit.events import AuditEvent
from assistant.audit.keys import AuditKeys
from assistant.audit.trail import SqlAuditTrail
from assistant.config import get_settings
from assistant.conversation import Reply
from assistant.crypto import DataCipher, generate_key
from assistant.gateway import create_app
from assistant.handoff.tickets import TicketStore
from assistant.hms.models import Staff
from assistant.identity.tokens import InMemoryRevocationList, StaffTokens, issue_token
from assistant.store import Store, open_store_at

KEY = "test-signing-key-0123456789abcdef"
ROLES = {
    "n.jones": {"nurse"},
    "p.kim": {"porter"},
    "h.lee": {"helpdesk"},
    "a.admin": {"admin"},
    "l.fox": {"trainer"},
}

# text -> reply kinds; what the scripted assistant answers
SCRIPT: dict[str, list[str]] = {
    "free beds on 4B": ["check_bed_availability_success"],
    "any isolation beds": ["check_bed_availability_none"],
    "book an appointment": ["ask_mrn"],
    "porter to ICU": ["request_help_success"],
    "book for mrn": ["book_appointment_denied"],
    "status of my request": ["check_request_status_error"],
    "flibber the gizmo": ["nlu_fallback_rephrase"],
    "wobble wobble": ["nlu_fallback_clarify"],
    "cardiac arrest": ["emergency_answer"],
}
# the known run: (staff, channel, conversation, text)
KNOWN_RUN = [
    ("n.jones", "rest", "c1", "free beds on 4B"),
    ("n.jones", "rest", "c1", "any isolation beds"),
    ("n.jones", "rest", "c1", "book an appointment"),
    ("n.jones", "rest", "c2", "flibber the gizmo"),
    ("n.jones", "rest", "c2", "wobble wobble"),
    ("p.kim", "rest", "c3", "porter to ICU"),
    ("p.kim", "rest", "c3", "book for mrn"),
    ("p.kim", "rest", "c4", "status of my request"),
]
# what the dashboard must show for it (no practice turns, all on one day)
EXPECTED = {
    "turns": 8,
    "conversations": 4,
    "task_answers": 5,  # 2 beds + porter + denied booking + status error
    "task_success": 3,
    "fallbacks": 2,
    "handoffs": 1,
}


class ScriptedAssistant:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, str]] = []

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        self.calls.append((staff, channel, conversation, text))
        await asyncio.sleep(0.01 * (1 + len(text) % 7))  # some latency to show
        kinds = SCRIPT.get(text, [])
        return [
            Reply(f"answer to {text}", (), {"phi": False, "kind": k, "data": {}}) for k in kinds
        ] or [Reply("hello")]


class FakeHms:
    async def find_staff(
        self, username: str | None = None, email: str | None = None
    ) -> list[Staff]:
        roles = ROLES.get(username or "")
        if roles is None:
            return []
        return [Staff(f"prac-{username}", str(username), str(username), None, frozenset(roles))]


class Directory:
    async def is_active_staff(self, username: str) -> bool:
        return username in ROLES


@dataclasses.dataclass
class PagesGateway:
    app: Any
    store: Store
    cipher: DataCipher
    settings: Any

    def token(self, staff: str) -> str:
        return issue_token(KEY, staff, ttl=3600)


def build(tmp: Path) -> PagesGateway:
    store = open_store_at(f"sqlite:///{tmp / 'assistant.db'}")
    data_key = generate_key()
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp,
        signing_key=KEY,
        data_key=data_key,
        data_key_file=None,
        assistant_database_url=f"sqlite:///{tmp / 'assistant.db'}",
        redis_url=None,
        rasa_auth_token="",
        metrics_token="prom-secret-token",
    )
    tokens = StaffTokens(KEY, revocations=InMemoryRevocationList(), directory=Directory())
    app = create_app(
        settings,
        assistant=ScriptedAssistant(),
        tokens=tokens,
        hms=lambda: FakeHms(),
        open_store=lambda: store,
        health_checks={},
        channels=("rest",),
        with_handoff=False,
        record_usage=True,
    )
    return PagesGateway(app, store, DataCipher([data_key]), settings)


def add_handoff(gw: PagesGateway, claim_after: float = 150.0, rating: int | None = 4) -> str:
    """One ticket for conversation c2 (n.jones), claimed ``claim_after`` s later, rated."""
    opened_at = datetime.now(UTC) - timedelta(seconds=claim_after)
    tickets = TicketStore(gw.store, gw.cipher, clock=lambda: opened_at)
    ticket = tickets.open_ticket("n.jones", "rest", "rest:n.jones:c2", "asked", {}, [])
    SqlAuditTrail(gw.store, AuditKeys(("k" * 32,))).record(
        AuditEvent(
            staff="h.lee",
            role="helpdesk",
            channel="slack",
            intent="claim",
            action="helpdesk_claim",
            permission="handoff:claim",
            resource=f"Ticket/{ticket.ticket_id}",
            patient_ref=None,
            outcome="success",
        )
    )
    TicketStore(gw.store, gw.cipher).resolve(ticket.ticket_id)
    if rating is not None:
        TicketStore(gw.store, gw.cipher).rate(ticket.ticket_id, rating)
    return ticket.ticket_id
