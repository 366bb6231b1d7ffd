from typing import Any

from assistant.channels.kiosk.badges import demo_badge, lock_seconds
from assistant.channels.kiosk.sessions import MemorySessionStore, RedisSessionStore


class FakeRedis:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.ttl: dict[str, int] = {}

    def set(self, key: str, value: str, ex: int) -> None:
        self.data[key], self.ttl[key] = value, ex

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def test_sessions_memory_expire_when_idle() -> None:
    now = [0.0]
    store = MemorySessionStore(60, lambda: now[0])
    session = store.create("n.jones", "B1")
    now[0] = 50
    assert store.get(session.id) is not None
    now[0] = 105  # 55 s after last use
    assert store.get(session.id) is not None
    now[0] = 170
    assert store.get(session.id) is None


def test_sessions_get_a_new_conversation_each_time() -> None:
    store = MemorySessionStore(60, lambda: 0.0)
    assert store.create("n.jones", "B1").conversation != store.create("n.jones", "B1").conversation


def test_sessions_redis_uses_idle_ttl_and_delete() -> None:
    redis = FakeRedis()
    store = RedisSessionStore(redis, 60, lambda: 5.0)
    session = store.create("n.jones", "B1")
    assert redis.ttl[f"kiosk:session:{session.id}"] == 60
    assert (found := store.get(session.id)) is not None and found.staff == "n.jones"
    store.delete(session.id)
    assert store.get(session.id) is None


def test_badges_demo_badges_are_deterministic_and_distinct() -> None:
    staff = ["n.jones", "dr.patel", "s.ali", "p.kim", "h.lee", "b.okoro", "c.sam"]
    first = [demo_badge(s) for s in staff]
    assert first == [demo_badge(s) for s in staff]
    assert len({b.badge_id for b in first}) == len(staff)
    assert all(len(b.pin) == 4 and b.pin.isdigit() for b in first)


def test_badges_lock_backs_off_after_five_failures() -> None:
    assert [lock_seconds(n) for n in (4, 5, 6, 7)] == [0.0, 30.0, 60.0, 120.0]
    assert lock_seconds(50) == 3600.0
