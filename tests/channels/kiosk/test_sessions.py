from assistant.channels.kiosk.badges import demo_badge, lock_seconds
from assistant.channels.kiosk.sessions import MemorySessionStore
from assistant.channels.kiosk.shared import MemoryAudioStore


async def test_sessions_memory_expire_when_idle() -> None:
    now = [0.0]
    store = MemorySessionStore(60, lambda: now[0])
    session = await store.create("n.jones", "B1")
    now[0] = 50
    assert await store.get(session.id) is not None
    now[0] = 105  # 55 s after last use
    assert await store.get(session.id) is not None
    now[0] = 170
    assert await store.get(session.id) is None


async def test_sessions_get_a_new_conversation_each_time() -> None:
    store = MemorySessionStore(60, lambda: 0.0)
    first, second = await store.create("n.jones", "B1"), await store.create("n.jones", "B1")
    assert first.conversation != second.conversation


async def test_audio_memory_once_and_only_to_its_session() -> None:
    now = [0.0]
    store = MemoryAudioStore(lambda: now[0])
    audio_id = await store.put("s1", "hello")
    assert await store.take("s2", audio_id) is None
    assert await store.take("s1", audio_id) == "hello"
    assert await store.take("s1", audio_id) is None
    late = await store.put("s1", "late")
    now[0] = 61
    assert await store.take("s1", late) is None


def test_badges_demo_badges_have_fixed_numbers_and_random_pins() -> None:
    staff = ["n.jones", "dr.patel", "s.ali", "p.kim", "h.lee", "b.okoro", "c.sam"]
    first = [demo_badge(s) for s in staff]
    second = [demo_badge(s) for s in staff]
    assert [b.badge_id for b in first] == [b.badge_id for b in second]
    assert len({b.badge_id for b in first}) == len(staff)
    assert all(len(b.pin) == 6 and b.pin.isdigit() for b in first + second)
    assert [b.pin for b in first] != [b.pin for b in second]  # not derived from the name


def test_badges_lock_backs_off_after_five_failures() -> None:
    assert [lock_seconds(n) for n in (4, 5, 6, 7)] == [0.0, 30.0, 60.0, 120.0]
    assert lock_seconds(50) == 3600.0
