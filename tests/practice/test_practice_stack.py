"""Practice mode on the real stack: the training hospital, labels, tour, no real writes."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from assistant.store import open_store_at
from assistant.store.models import AuditEventRow, HelpdeskTicket

pytestmark = pytest.mark.stack
LABEL = "PRACTICE \u2014 nothing is real."


def _bed(stack, base: str, bed: str) -> str:
    r = httpx.get(
        f"{base}/Location/{bed}",
        headers={"Authorization": f"Bearer {stack.stack.secrets['HMS_API_TOKEN']}"},
        timeout=30,
    )
    r.raise_for_status()
    return str(r.json()["operationalStatus"]["code"])


def _kinds(data):
    return [(r.get("custom") or {}).get("kind") for r in data["replies"]]


def test_practice_mode_uses_the_training_hospital_and_never_real_data(stack):
    token = stack.token("b.okoro")  # bed manager: beds hospital-wide
    urls = stack.stack.urls
    # a 4B bed that is not "needs cleaning" in either hospital, so a write to it shows
    # (other conversations in this shared stack change beds too)
    number, real_before = next(
        (n, status)
        for n in range(1, 21)
        if (status := _bed(stack, urls["fhir"], f"bed-4b-{n:02d}")) != "H"
        and _bed(stack, urls["practice_fhir"], f"bed-4b-{n:02d}") != "H"
    )
    bed = f"bed-4b-{number:02d}"
    store = open_store_at(f"sqlite:///{stack.var_dir / 'assistant.db'}")
    with store.read() as s:
        tickets_before = len(s.execute(select(HelpdeskTicket.id)).all())
        # other conversations in this shared stack may have b.okoro's real updates: only
        # this test's events count
        seq_before = max(s.execute(select(AuditEventRow.seq)).scalars().all(), default=0)

    on = stack.post_message(token, "practice mode")
    assert on["practice"] is True and _kinds(on) == ["practice_on"]
    tour = on["replies"][0]["custom"]["data"]["tour"]
    assert "update_bed_status" in tour and "talk_to_human" not in tour
    conversation = on["conversation_id"]

    changed = stack.post_message(token, f"4B bed {number} needs cleaning", conversation)
    if "update_bed_status_confirm" in _kinds(changed):  # an occupied bed is asked about first
        assert all(r["text"].startswith(LABEL) for r in changed["replies"]), changed
        changed = stack.post_message(token, "yes", conversation)
    assert all(r["text"].startswith(LABEL) for r in changed["replies"]), changed
    assert "update_bed_status_success" in _kinds(changed)
    step = next(r for r in changed["replies"] if r["custom"]["kind"] == "practice_tour_step")
    assert "update_bed_status" in step["custom"]["data"]["done"]
    assert _bed(stack, urls["practice_fhir"], bed) == "H"  # the training hospital
    assert _bed(stack, urls["fhir"], bed) == real_before  # real data untouched

    person = stack.post_message(token, "let me talk to a person", conversation)
    assert _kinds(person) == ["talk_to_human_practice"]

    off = stack.post_message(token, "practice mode off", conversation)
    assert off["practice"] is False and _kinds(off) == ["practice_off"]
    real = stack.post_message(token, "any free beds on 4B", conversation)
    assert not any(r["text"].startswith(LABEL) for r in real["replies"])

    with store.read() as s:
        events = (
            s.execute(
                select(AuditEventRow)
                .where(AuditEventRow.staff == "b.okoro", AuditEventRow.seq > seq_before)
                .order_by(AuditEventRow.seq)
            )
            .scalars()
            .all()
        )
        tickets_after = len(s.execute(select(HelpdeskTicket.id)).all())
    store.close()
    updates = [e for e in events if e.intent == "update_bed_status"]
    assert updates and all(e.detail.startswith("[practice]") for e in updates)
    beds = [e for e in events if e.intent == "check_bed_availability"]
    assert beds and not beds[-1].detail.startswith("[practice]")  # after practice mode off
    assert tickets_after == tickets_before  # no help-desk queue was touched


def test_practice_flag_on_the_rest_channel(stack):
    token = stack.token("p.kim")
    body = {"text": "any free beds on 4B", "practice": True}
    r = httpx.post(
        stack.urls["rest"], json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ).json()
    assert r["practice"] is True
    assert _kinds(r)[0] == "practice_on"
    assert all(x["text"].startswith(LABEL) for x in r["replies"])
    off = httpx.post(
        stack.urls["rest"],
        json={"text": "hello", "practice": False, "conversation_id": r["conversation_id"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    assert off["practice"] is False and _kinds(off)[0] == "practice_off"
