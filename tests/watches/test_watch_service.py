"""Bed-freed notices end to end (short of the chat): a watch on the reference HMS, a bed
made free by the ADT feed (real MLLP), by an API/chat status update or an import, and the
notice as a Slack DM through the fake Slack Web API, or in the kiosk inbox."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from assistant.audit import InMemoryAuditSink
from assistant.channels.slack.notices import SlackDm
from assistant.rbac.policy import load_policy
from assistant.watches.factory import build_watch_service
from assistant.watches.notify import KIND
from assistant.watches.store import CANCELLED, NOTIFIED, NoticeStore, WatchStore
from tests.hms.adt_kit import Running, sample, send


def service(store: Any, hms: Any, fake_slack: Any = None, audit: Any = None) -> Any:
    first = []
    if fake_slack is not None:
        first.append(SlackDm(AsyncWebClient(token="xoxb-test", base_url=fake_slack.url)))
    return build_watch_service(
        object(),
        store,
        lambda: hms,
        first=first,
        audit=audit or InMemoryAuditSink(),
        policy=load_policy(),
    )


async def watch(store: Any, hms: Any, staff: str, ward: str | None, feature: str | None) -> Any:
    baseline = {b.id for b in await hms.free_beds(ward, feature)}
    return WatchStore(store).add(staff, "slack", ward, feature, baseline)


async def test_watch_notice_for_a_bed_freed_by_the_adt_feed_is_a_slack_dm(
    store, hms, hms_engine, fake_slack
):
    audit = InMemoryAuditSink()
    watcher = service(store, hms, fake_slack, audit)
    mine = await watch(store, hms, "n.jones", "ICU", "isolation")
    assert await watcher.tick() == 0  # nothing has changed yet
    adt = Running(hms_engine).start()
    try:  # ICU-17 (side room, isolation) was H: housekeeping reports it clean
        sent = sample("a20_bed_cleaned", **{"ICU^Bay 3^16": "ICU^Side room 1^17"})
        assert send(adt.port, sent).code == "AA"
    finally:
        adt.stop()
    assert await watcher.tick() == 1
    dm = fake_slack.wait_for("chat.postMessage", lambda p: "ICU Bed 17" in p["text"])
    assert dm["channel"] == "D0NJONES"  # conversations.open with n.jones's Slack id
    assert "isolation" in dm["text"] and "Side room 1" in dm["text"]
    assert fake_slack.calls_to("users.lookupByEmail")[0]["email"] == "n.jones@demo-hospital.example"
    done = WatchStore(store).get(mine.id)
    assert done is not None and (done.status, done.bed_id, done.delivered_via) == (
        NOTIFIED,
        "bed-icu-17",
        "slack",
    )
    (event,) = audit.events
    assert (event.staff, event.intent, event.outcome) == (
        "n.jones",
        "watch_bed_availability",
        "success",
    )
    assert event.resource == "Location/bed-icu-17" and event.patient_ref is None
    assert await watcher.tick() == 0  # one notice per watch


async def test_watch_notice_for_a_chat_or_api_status_update(store, hms, fake_slack):
    watcher = service(store, hms, fake_slack)
    await watch(store, hms, "b.okoro", "4B", None)
    await hms.with_actor("c.sam").set_bed_status("bed-4b-18", "U")  # what the chat action calls
    assert await watcher.tick() == 1
    assert "4B Bed 18" in fake_slack.wait_for("chat.postMessage")["text"]


async def test_watch_only_matching_beds_count(store, hms, fake_slack):
    watcher = service(store, hms, fake_slack)
    mine = await watch(store, hms, "n.jones", "4B", "isolation")
    await hms.set_bed_status("bed-4b-18", "U")  # free, but not an isolation bed
    await hms.set_bed_status("bed-icu-17", "U")  # isolation, but on another ward
    assert await watcher.tick() == 0
    assert WatchStore(store).get(mine.id).status == "active"  # type: ignore[union-attr]


async def test_watch_bed_freed_again_after_being_taken_is_news(store, hms, fake_slack):
    watcher = service(store, hms, fake_slack)
    free_now = sorted(b.id for b in await hms.free_beds("4B", "isolation"))
    assert free_now == ["bed-4b-29"]
    mine = await watch(store, hms, "n.jones", "4B", "isolation")
    await hms.set_bed_status("bed-4b-29", "O")  # taken...
    assert await watcher.tick() == 0
    assert WatchStore(store).get(mine.id).baseline == frozenset()  # type: ignore[union-attr]
    await hms.set_bed_status("bed-4b-29", "U")  # ...and free again: tell them
    assert await watcher.tick() == 1


async def test_watch_notice_waits_for_the_kiosk_when_slack_does_not_know_the_user(
    store, hms, fake_slack
):
    fake_slack.users = {}  # nobody in this Slack workspace
    watcher = service(store, hms, fake_slack)
    mine = await watch(store, hms, "c.sam", "7", None)
    await hms.set_bed_status("bed-7-15", "U")
    assert await watcher.tick() == 1
    assert fake_slack.calls_to("chat.postMessage") == []
    (notice,) = NoticeStore(store).take("c.sam")
    assert notice["kind"] == KIND and notice["data"]["bed"] == "bed-7-15"
    assert WatchStore(store).get(mine.id).delivered_via == "kiosk"  # type: ignore[union-attr]


async def test_watch_of_someone_without_beds_read_is_cancelled_and_audited(store, hms):
    audit = InMemoryAuditSink()
    watcher = service(store, hms, audit=audit)
    mine = await watch(store, hms, "h.lee", "4B", None)  # help-desk agent
    await hms.set_bed_status("bed-4b-18", "U")
    assert not load_policy().allows(frozenset({"helpdesk"}), "beds:read")
    assert await watcher.tick() == 0
    assert WatchStore(store).get(mine.id).status == CANCELLED  # type: ignore[union-attr]
    assert [e.outcome for e in audit.events] == ["denied"]


async def test_watch_two_workers_send_one_notice(store, hms, fake_slack):
    first, second = service(store, hms, fake_slack), service(store, hms, fake_slack)
    await watch(store, hms, "n.jones", "4B", None)
    await hms.set_bed_status("bed-4b-18", "U")
    assert await first.tick() + await second.tick() == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_watch_no_notice_while_the_audit_trail_is_down(store, hms, fake_slack):
    audit = InMemoryAuditSink()
    audit.fail = True
    watcher = service(store, hms, fake_slack, audit)
    mine = await watch(store, hms, "n.jones", "4B", None)
    await hms.set_bed_status("bed-4b-18", "U")
    assert await watcher.tick() == 0
    assert fake_slack.calls_to("chat.postMessage") == []
    assert WatchStore(store).get(mine.id).status == "active"  # type: ignore[union-attr]
    audit.fail = False
    assert await watcher.tick() == 1
