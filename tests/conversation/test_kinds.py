"""Typed reply facts: the producers outside the actions build them with the declared keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_type_hints

from assistant.conversation import Reply
from assistant.conversation.kinds import DATA, data_type
from assistant.handoff.replies import waiting_reply, withdrawn_reply
from assistant.handoff.tickets import Ticket
from assistant.safety.detector import Assessment
from assistant.safety.replies import caution_reply, emergency_reply

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _keys_fit(reply: Reply) -> bool:
    typed: Any = data_type(reply.kind)
    assert typed is not None, reply.kind
    allowed = set(get_type_hints(typed))
    return typed.__required_keys__ <= set(reply.data) <= allowed


def _ticket(status: str, claimer: str | None) -> Ticket:
    return Ticket(
        "HD-000042", "n.jones", "rest", "c1", "asked", {}, status, claimer, NOW, NOW, None
    )


def test_kinds_safety_and_handoff_replies_carry_their_typed_facts():
    replies = [
        emergency_reply("2222", Assessment("emergency", "cardiac_arrest")),
        caution_reply("2222"),
        waiting_reply("waiting", _ticket("open", None)),
        waiting_reply("waiting", _ticket("claimed", "h.lee")),
        withdrawn_reply("HD-000042"),
    ]
    assert all(_keys_fit(r) for r in replies)
    assert replies[3].data == {"ticket_id": "HD-000042", "claimed_by": "h.lee"}
    assert replies[0].data == {"number": "2222", "emergency": "cardiac_arrest"}


def test_kinds_reply_reads_kind_data_and_phi_without_guessing():
    reply = Reply("x", custom={"phi": True, "kind": "locate_patient_success", "data": [1]})
    assert (reply.kind, reply.data, reply.phi) == ("locate_patient_success", {}, True)
    assert (Reply("y").kind, Reply("y").data, Reply("y").phi) == ("", {}, False)


def test_kinds_every_typed_kind_names_a_typed_dict():
    assert all(hasattr(t, "__required_keys__") for t in DATA.values())
    assert data_type("no_such_kind") is None
