"""The kiosk for touch in headless Chromium: keypad sign-in, role tiles, axe-core.

A local gateway (kiosk channel, echo assistant, fake HMS staff directory): the tiles must
be the signed-in role's tasks from the intent catalog and role policy, a tile must send
its request, and axe-core must find no serious or critical violation.
"""

from __future__ import annotations

import dataclasses
import json
import time
import types
from typing import Any

import pytest

from assistant.channels.kiosk.badges import BadgeStore
from assistant.config import get_settings
from assistant.conversation import Reply
from assistant.onboarding.guide import common_first, role_guide
from assistant.onboarding.service import Onboarding
from assistant.rbac.policy import load_policy
from assistant.store import open_store_at
from assistant.usage.roles import RoleLookup
from intents.catalog import load_catalog
from tests.fakes.gateway import channel_context
from tests.pages.browser_kit import Browser, serve
from tests.pages.pages_kit import FakeHms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("chromium"),
]


class Echo:
    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        return [Reply(f"You said {text}.")]


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from fastapi import FastAPI

    from assistant.channels.kiosk import mount

    tmp = tmp_path_factory.mktemp("kiosk-touch")
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp,
        assistant_database_url=f"sqlite:///{tmp / 'a.db'}",
        redis_url=None,
        kiosk_speech_dir=tmp / "speech",
    )
    store = open_store_at(settings.assistant_database_url)
    DEMO_BADGES.update({b.staff: b for b in BadgeStore(store.engine, time.time).enrol_demo()})
    onboarding = Onboarding(
        roles=RoleLookup(lambda: FakeHms()),
        policy=load_policy(),
        catalog=load_catalog(),
        hms=lambda: FakeHms(),
        open_store=None,
    )

    app = FastAPI()
    practice: Any = types.SimpleNamespace(available=True)  # a training hospital is configured
    ctx = channel_context(
        settings, Echo(), open_store=lambda: store, onboarding=onboarding, practice=practice
    )
    mount(app, ctx)
    with serve(app) as base:
        yield base + "/kiosk/"
    store.close()


DEMO_BADGES: dict[str, Any] = {}  # staff -> DemoBadge (random PIN) enrolled by the fixture


def _sign_in_by_keypad(browser: Browser, staff: str) -> None:
    badge = DEMO_BADGES[staff]
    browser.wait_for("!document.getElementById('signin').hidden")
    browser.click("#badge")
    browser.js("document.getElementById('badge').focus(); true")
    for ch in badge.badge_id:
        sel = f"#signin [data-key='{ch}']"
        browser.click(sel)
    browser.click("[data-key='next']")
    for ch in badge.pin:
        browser.click(f"#keypad [data-key='{ch}']")
    typed = browser.js(
        "[document.getElementById('badge').value, document.getElementById('pin').value]"
    )
    assert typed == [badge.badge_id, badge.pin]
    browser.js("document.getElementById('signin-form').requestSubmit(); true")
    browser.wait_for("!document.getElementById('talk').hidden")


@pytest.mark.parametrize(("staff", "role"), [("n.jones", "nurse"), ("p.kim", "porter")])
def test_kiosk_touch_tiles_follow_the_role(kiosk, staff, role):
    guide = role_guide(staff, [role], load_policy(), load_catalog())
    browser = Browser(width=1080, height=1350)  # a portrait ward screen
    try:
        browser.goto(kiosk)
        browser.wait_for("!document.getElementById('signin').hidden")
        if role == "nurse":
            browser.screenshot("kiosk-signin-keypad")
        signin_axe = browser.axe()
        _sign_in_by_keypad(browser, staff)
        browser.wait_for("Number(document.body.dataset.tiles) > 0")
        tiles = browser.js(
            "[...document.querySelectorAll('#tiles .tile:not(.tile-practice)')]"
            ".map(t => [t.dataset.intent,"
            " t.querySelector('.tile-title').textContent])"
        )
        sizes = browser.js(
            "[...document.querySelectorAll('#tiles .tile')]"
            ".map(t => [t.offsetWidth, t.offsetHeight,"
            " parseFloat(getComputedStyle(t.querySelector('.tile-title')).fontSize)])"
        )
        shot = browser.screenshot(f"kiosk-tiles-{role}")
        talk_axe = browser.axe()
        first = common_first(guide)[0]
        browser.click("#tiles .tile")
        browser.wait_for("document.querySelectorAll('#replies .reply').length > 0")
        reply = browser.js("document.querySelector('#replies .reply p').textContent")
        browser.click("#tiles .tile-practice")
        browser.wait_for(
            "document.querySelector('#replies .reply p').textContent.includes('practice')"
        )
        practice_reply = browser.js("document.querySelector('#replies .reply p').textContent")
    finally:
        browser.close()
    assert tiles == [[c.intent, c.button] for c in common_first(guide)[:6]]
    if role == "porter":
        assert "book_appointment" not in [t[0] for t in tiles]
    assert all(w >= 200 and h >= 100 and font >= 22 for w, h, font in sizes), sizes
    assert reply == f"You said {first.say}."
    assert practice_reply == "You said /practice_on."  # the tile asks for practice mode
    assert shot.stat().st_size > 20_000
    for name, result in (("sign-in", signin_axe), ("tiles", talk_axe)):
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        print(
            f"axe-core {result['version']} kiosk {name} ({role}):",
            len(result["violations"]),
            "violations,",
            len(serious),
            "serious/critical;",
            result["passes"],
            "rules passed",
            json.dumps(result["violations"])[:300],
        )
        assert serious == [], serious
