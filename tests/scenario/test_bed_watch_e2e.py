"""Bed-freed notices over the real stack: a watch, an HL7 A20 over MLLP to the stack's ADT
listener, the gateway's watcher noticing the bed in the HMS, and the notice as a Slack DM
(fake Slack Web API) or, for someone Slack does not know, at their next kiosk sign-in."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from assistant.channels.kiosk.badges import BadgeStore
from assistant.store import open_store_at
from assistant.watches.store import WatchStore
from tests.fakes.slack_api import slack_id
from tests.hms.adt_kit import sample, send

pytestmark = pytest.mark.stack


def a20(bed: str, status: str, control_id: str) -> str:
    message = sample("a20_bed_cleaned", BB00000201=control_id, **{"ICU^Bay 3^16": bed})
    return message.replace("^DEMOHOSP|U", f"^DEMOHOSP|{status}")


def free_beds(stack: Any, ward: str, feature: str | None) -> set[str]:
    bundle = stack.fhir_get(
        "Location", partof=f"Location/ward-{ward.lower()}", **{"operational-status": "U"}
    )
    beds = [e["resource"] for e in bundle.get("entry", [])]
    if feature:
        beds = [
            b
            for b in beds
            if feature in {c["code"] for t in b.get("type", []) for c in t["coding"]}
        ]
    return {b["id"] for b in beds}


def test_bed_watch_notice_from_an_adt_message_is_a_slack_dm(stack):
    fake = stack.fake_slack
    assert fake is not None, "the stack fixture starts the fake Slack Web API"
    store = open_store_at(f"sqlite:///{stack.var_dir / 'assistant.db'}")
    adt_port = stack.stack.ports["adt"]
    try:
        watch = WatchStore(store).add(
            "n.jones", "slack", "CCU", "isolation", free_beds(stack, "CCU", "isolation")
        )
        start = len(fake.calls)
        ack = send(adt_port, a20("CCU^Side room 1^11", "U", "E2E-WATCH-1"))  # was C
        assert ack.code == "AA", ack.text
        dm = fake.wait_for(
            "chat.postMessage", lambda p: "CCU Bed 11" in p.get("text", ""), timeout=60, start=start
        )
        assert dm["channel"] == "D0NJONES" and "isolation" in dm["text"]
        deadline = time.monotonic() + 15  # recorded right after the DM is posted
        while (done := WatchStore(store).get(watch.id)) and done.delivered_via is None:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert done is not None and done.status == "notified" and done.delivered_via == "slack"
    finally:
        send(adt_port, a20("CCU^Side room 1^11", "C", "E2E-WATCH-1-UNDO"))
        store.close()


def test_bed_watch_notice_waits_for_the_next_kiosk_sign_in(stack):
    store = open_store_at(f"sqlite:///{stack.var_dir / 'assistant.db'}")
    adt_port = stack.stack.ports["adt"]
    # k.osei (bed manager) has no account in this Slack workspace (taken out of the fake's
    # users for this test): the notice waits for the kiosk
    slack_account = stack.fake_slack.users.pop(slack_id("k.osei"))
    try:
        watch = WatchStore(store).add("k.osei", "kiosk", "MAT", None, free_beds(stack, "MAT", None))
        (badge,) = BadgeStore(store.engine, time.time).enrol_demo(["k.osei"])
        assert send(adt_port, a20("MAT^Bay 4^21", "U", "E2E-WATCH-2")).code == "AA"  # was C
        deadline = time.monotonic() + 60
        while WatchStore(store).get(watch.id).status != "notified":  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the watcher did not notice the bed"
            time.sleep(1)
        signed_in = httpx.post(
            f"{stack.urls['gateway']}/kiosk/api/session",
            json={"badge": badge.badge_id, "pin": badge.pin},
            timeout=30,
        )
        assert signed_in.status_code == 200, signed_in.text
        (notice,) = signed_in.json()["notices"]
        assert "MAT Bed 21" in notice["text"]
        assert notice["custom"]["kind"] == "bed_watch_notice" and not notice["custom"]["phi"]
        again = httpx.post(
            f"{stack.urls['gateway']}/kiosk/api/session",
            json={"badge": badge.badge_id, "pin": badge.pin},
            timeout=30,
        )
        assert again.json()["notices"] == []  # shown once
    finally:
        send(adt_port, a20("MAT^Bay 4^21", "C", "E2E-WATCH-2-UNDO"))
        stack.fake_slack.users[slack_id("k.osei")] = slack_account
        store.close()


def blocked_bed(stack: Any, ward: str) -> tuple[str, str, str]:
    """A bed on ``ward`` that is neither free nor occupied: (label, number, status)."""
    for status in ("C", "H", "K"):
        bundle = stack.fhir_get(
            "Location", partof=f"Location/ward-{ward.lower()}", **{"operational-status": status}
        )
        for entry in bundle.get("entry", []):
            name = entry["resource"]["name"]  # e.g. "HDU Bed 5"
            return name, name.rsplit(" ", 1)[-1], status
    raise AssertionError(f"the demo hospital has no closed or dirty bed on {ward}")


def chat(stack: Any, token: str, text: str, conversation: str | None) -> dict[str, Any]:
    body = stack.post_message(token, text, conversation)
    return {"conversation": body["conversation_id"], "replies": body["replies"]}


def kinds(turn: dict[str, Any]) -> list[str]:
    return [(r.get("custom") or {}).get("kind", "") for r in turn["replies"]]


def test_bed_watch_set_and_cancelled_in_chat_then_an_adt_message_frees_a_bed(stack):
    """The intent path: c.sam asks in chat to be told when a bed frees on HDU and on ED,
    then stops watching ED; A20 messages free a bed on each; only the HDU one is a DM."""
    fake = stack.fake_slack
    assert fake is not None, "the stack fixture starts the fake Slack Web API"
    adt_port = stack.stack.ports["adt"]
    store = open_store_at(f"sqlite:///{stack.var_dir / 'assistant.db'}")
    hdu_label, hdu_number, hdu_was = blocked_bed(stack, "HDU")
    ed_label, ed_number, ed_was = blocked_bed(stack, "ED")
    token, hdu_watch = stack.token("c.sam"), None
    try:
        turn = chat(stack, token, "let me know when a bed frees up on HDU", None)
        assert "watch_bed_availability_success" in kinds(turn), turn
        (hdu_reply,) = [r for r in turn["replies"] if r["custom"]["data"].get("ward") == "HDU"]
        hdu_watch = hdu_reply["custom"]["data"]["watch_id"]
        conversation = turn["conversation"]
        turn = chat(stack, token, "tell me when a bed frees on ED", conversation)
        assert "watch_bed_availability_success" in kinds(turn), turn
        turn = chat(stack, token, "stop watching ED", conversation)
        assert "cancel_bed_watch_success" in kinds(turn), turn
        active = WatchStore(store).active("c.sam")
        assert hdu_watch in {w.id for w in active} and "ED" not in {w.ward_code for w in active}

        start = len(fake.calls)
        assert send(adt_port, a20(f"ED^^{ed_number}", "U", "E2E-WATCH-3A")).code == "AA"
        assert send(adt_port, a20(f"HDU^^{hdu_number}", "U", "E2E-WATCH-3B")).code == "AA"
        dm = fake.wait_for(
            "chat.postMessage", lambda p: hdu_label in p.get("text", ""), timeout=60, start=start
        )
        assert dm["channel"] == "D0CSAM" and "HDU" in dm["text"]
        # the same pass of the watcher saw both beds free; wait out one more pass
        deadline = time.monotonic() + 25
        while (done := WatchStore(store).get(hdu_watch)) and done.delivered_via is None:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(12)
        to_csam = [
            c.params.get("text", "")
            for c in fake.calls[start:]
            if c.method == "chat.postMessage" and c.params.get("channel") == "D0CSAM"
        ]
        assert not [t for t in to_csam if ed_label in t], to_csam  # the cancelled watch is quiet
        turn = chat(stack, token, "what bed watches do i have", conversation)
        assert "HDU" not in str(turn["replies"]), turn  # notified once, then finished
    finally:
        send(adt_port, a20(f"ED^^{ed_number}", ed_was, "E2E-WATCH-3A-UNDO"))
        send(adt_port, a20(f"HDU^^{hdu_number}", hdu_was, "E2E-WATCH-3B-UNDO"))
        WatchStore(store).cancel("c.sam")
        store.close()
