"""App Home per role, and the de-duplication stores."""

from __future__ import annotations

from assistant.channels.slack.dedupe import MemoryDedupe, RedisDedupe, dedupe_from_settings
from assistant.channels.slack.home import home_view
from assistant.channels.slack.identity import Refused, SignedIn
from assistant.rbac.policy import load_policy
from tests.channels.slack.slack_kit import STAFF


def _titles(view):
    return [
        e["text"]["text"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


def _button(intent):
    # button titles come from the intent catalog (assistant.onboarding.guide)
    from assistant.onboarding.guide import capability_of
    from intents.catalog import load_catalog

    return capability_of(load_catalog().get(intent)).button


def test_home_nurse_sees_booking_and_beds():
    view = home_view(SignedIn("U0NJONES", STAFF["n.jones"]), load_policy())
    assert view["type"] == "home"
    titles = _titles(view)
    assert _button("book_appointment") in titles and _button("check_bed_availability") in titles


def test_home_porter_has_no_booking_button():
    view = home_view(SignedIn("U0PKIM", STAFF["p.kim"]), load_policy())
    assert _button("book_appointment") not in _titles(view)
    assert _button("check_bed_availability") in _titles(view)


def test_home_refused_user_sees_refusal_only():
    view = home_view(Refused("U0X", "not_in_directory", "Sorry, no."), load_policy())
    assert _titles(view) == []
    assert "Sorry, no." in str(view["blocks"])


def test_home_without_policy_still_renders():
    view = home_view(SignedIn("U0NJONES", STAFF["n.jones"]), None)
    assert _titles(view) == []


async def test_home_opened_publishes_view(slack):
    await slack.event(
        {"type": "app_home_opened", "user": "U0PKIM", "channel": "D0PKIM", "tab": "home"}
    )
    published = await slack.posted("views.publish")
    assert published["user_id"] == "U0PKIM"
    assert "p.kim" in str(published["view"]["blocks"])


async def test_home_quick_action_asks_in_dm(slack):
    await slack.event({"type": "app_home_opened", "user": "U0NJONES", "tab": "home"})
    view = (await slack.posted("views.publish"))["view"]
    button = next(
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["text"]["text"] == _button("check_bed_availability")
    )
    await slack.click("U0NJONES", button, channel="", message_ts="")
    posted = await slack.posted()
    assert posted["channel"] == "D0NJONES"
    assert slack.assistant.turns[-1]["conversation"] == "D0NJONES"


async def test_dedupe_memory_first_time_then_duplicate_until_ttl():
    now = [0.0]
    store = MemoryDedupe(ttl=10, clock=lambda: now[0])
    assert await store.first_time("Ev1") is True
    assert await store.first_time("Ev1") is False
    assert await store.first_time("Ev2") is True
    now[0] = 11
    assert await store.first_time("Ev1") is True


class _FakeRedis:
    def __init__(self, fail=False):
        self.keys, self.fail, self.calls = {}, fail, []

    async def set(self, key, value, nx=False, ex=None):
        self.calls.append((key, nx, ex))
        if self.fail:
            raise ConnectionError("down")
        if nx and key in self.keys:
            return None
        self.keys[key] = value
        return True


async def test_dedupe_redis_uses_set_nx_ex():
    redis = _FakeRedis()
    store = RedisDedupe(redis, ttl=60)
    assert await store.first_time("event:Ev1") is True
    assert await store.first_time("event:Ev1") is False
    assert redis.calls[0] == ("hms:slack:event:Ev1", True, 60)


async def test_dedupe_redis_down_treats_event_as_new():
    assert await RedisDedupe(_FakeRedis(fail=True)).first_time("Ev1") is True


def test_dedupe_from_settings_picks_store():
    class S:
        redis_url = None

    assert isinstance(dedupe_from_settings(S()), MemoryDedupe)
    S.redis_url = "redis://127.0.0.1:6399/0"
    assert isinstance(dedupe_from_settings(S()), RedisDedupe)
