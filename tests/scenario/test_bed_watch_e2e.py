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
