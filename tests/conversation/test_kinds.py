"""Typed reply facts: the producers outside the actions build them with the declared keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_type_hints

from actions.asks import ask_action
from actions.flow import ActionStop
from actions.services import set_services
from actions.slotvalues import didnt_get, unknown
from actions.state import resume_offer
from assistant.conversation import Reply
from assistant.conversation.kinds import DATA, AskData, UnknownValueData, data_type
from assistant.handoff.replies import waiting_reply, withdrawn_reply
from assistant.handoff.tickets import Ticket
from assistant.safety.detector import Assessment
from assistant.safety.replies import caution_reply, emergency_reply
from tests.actions.fakes import make_services, run, tracker
from tests.conversation.facts import misfits

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


def test_kinds_dialogue_families_are_typed_by_prefix():
    assert data_type("ask_mrn") is AskData and data_type("ask_help_description") is AskData
    assert data_type("unknown_ward") is UnknownValueData and data_type("invalid_mrn")
    assert data_type("ask_capabilities_success") is not AskData
    assert data_type("ask_capabilities_denied") is None  # a task answer, not a question
    assert data_type("resume_offer") and data_type("stop_ok") and data_type("fallback_default")


async def test_kinds_dialogue_replies_carry_their_typed_facts():
    set_services(make_services())
    stash = {"intent": "book_appointment", "form": "book_appointment_form", "slots": {}}
    offer = resume_offer(stash)
    assert offer is not None
    unknown_ward = unknown("ward", "3", (("4B Medical", "4B"),), "ward")
    messages = [
        {"custom": offer[1]},
        {"custom": {"kind": unknown_ward.kind, "data": unknown_ward.data}},
        {"custom": {"kind": "invalid_mrn", "data": didnt_get("mrn").data}},
    ]
    trk = tracker("n.jones", slots={"requested_slot": "mrn"}, active_loop="book_appointment_form")
    for action in (ask_action("mrn")(), ActionStop()):
        asked, _ = await run(action, trk)  # run() checks every reply's facts too
        messages += asked
    kinds = [m["custom"]["kind"] for m in messages]
    assert kinds == ["resume_offer", "unknown_ward", "invalid_mrn", "ask_mrn", "stop_ok"]
    assert misfits(messages) == []
    assert misfits([{"custom": {"kind": "ask_mrn", "data": {"attempt": 1}}}]) == [
        "ask_mrn: missing ['slot'], undeclared []"
    ]
