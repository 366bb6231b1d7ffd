"""Watch store: add, list, cancel, expire after a shift, claim once, kiosk notices once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.watches.store import (
    CANCELLED,
    EXPIRED,
    MAX_ACTIVE_PER_STAFF,
    NOTIFIED,
    NoticeStore,
    TooManyWatches,
    WatchStore,
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_watch_store_adds_lists_and_cancels(store):
    watches = WatchStore(store)
    first = watches.add("n.jones", "slack", "4B", "isolation", {"bed-4b-29"})
    second = watches.add("n.jones", "kiosk", "ICU", None, set())
    watches.add("dr.patel", "rest", None, "bariatric", set())
    assert first.baseline == {"bed-4b-29"} and first.status == "active"
    assert [w.id for w in watches.active("n.jones")] == [first.id, second.id]
    assert watches.cancel("dr.patel", first.id) == 0  # not theirs
    assert watches.cancel("n.jones", first.id) == 1
    assert [w.id for w in watches.active("n.jones")] == [second.id]
    assert watches.cancel("n.jones") == 1  # all the rest
    assert watches.active("n.jones") == []
    assert watches.get(first.id).status == CANCELLED  # type: ignore[union-attr]


def test_watch_store_expires_after_a_shift(store):
    clock = Clock()
    watches = WatchStore(store, clock)
    watch = watches.add("n.jones", "slack", "4B", None, set(), hours=12)
    assert watch.expires_at == clock.now + timedelta(hours=12)
    clock.now += timedelta(hours=11, minutes=59)
    assert watches.expire() == 0 and len(watches.active()) == 1
    clock.now += timedelta(minutes=1)
    assert watches.active() == []  # not offered once past its time, even before expire()
    assert not watches.claim(watch.id, "bed-4b-03", "4B Bed 3")
    assert watches.expire() == 1
    assert watches.get(watch.id).status == EXPIRED  # type: ignore[union-attr]


def test_watch_store_claim_succeeds_once(store):
    one, two = WatchStore(store), WatchStore(store)  # two gateway workers
    watch = one.add("n.jones", "slack", "4B", None, set())
    assert one.claim(watch.id, "bed-4b-03", "4B Bed 3")
    assert not two.claim(watch.id, "bed-4b-11", "4B Bed 11")
    claimed = one.get(watch.id)
    assert claimed is not None and (claimed.status, claimed.bed_id) == (NOTIFIED, "bed-4b-03")


def test_watch_store_limits_active_watches_per_staff(store):
    watches = WatchStore(store)
    for _ in range(MAX_ACTIVE_PER_STAFF):
        watches.add("n.jones", "slack", "4B", None, set())
    with pytest.raises(TooManyWatches):
        watches.add("n.jones", "slack", "4B", None, set())
    watches.add("dr.patel", "slack", "4B", None, set())  # others are not limited by it


def test_notice_store_hands_each_notice_out_once(store):
    notices = NoticeStore(store)
    notices.add("n.jones", "bed_watch_notice", "Bed free: 4B Bed 3", {"bed": "bed-4b-03"})
    notices.add("dr.patel", "bed_watch_notice", "Bed free: ICU Bed 1", {"bed": "bed-icu-01"})
    taken = notices.take("n.jones")
    assert [n["data"]["bed"] for n in taken] == ["bed-4b-03"]
    assert notices.take("n.jones") == []
    assert len(notices.take("dr.patel")) == 1


@pytest.mark.postgres
def test_watch_store_claim_succeeds_once_on_postgres(postgres_url):
    import uuid

    from sqlalchemy import create_engine, text

    from assistant.store import open_store_at

    name = f"watch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    store = open_store_at(postgres_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        one, two = WatchStore(store), WatchStore(store)
        watch = one.add("n.jones", "slack", "4B", "isolation", {"bed-4b-29"})
        assert [w.id for w in two.active("n.jones")] == [watch.id]
        assert one.claim(watch.id, "bed-4b-27", "4B Bed 27")
        assert not two.claim(watch.id, "bed-4b-27", "4B Bed 27")
        notices = NoticeStore(store)
        notices.add("n.jones", "bed_watch_notice", "Bed free", {"bed": "bed-4b-27"})
        assert len(notices.take("n.jones")) == 1 and notices.take("n.jones") == []
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
