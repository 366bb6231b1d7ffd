"""Slack App Home per role, rendered (Block Kit preview) and screenshot in Chromium."""

from __future__ import annotations

import pytest

from assistant.channels.slack.home import HomeExtras, home_view
from assistant.channels.slack.identity import SignedIn
from assistant.hms.models import Staff
from assistant.onboarding.guide import role_guide
from assistant.onboarding.service import OpenRequest
from assistant.rbac.policy import load_policy
from intents.catalog import load_catalog
from tests.pages.blockkit_preview import render_view
from tests.pages.browser_kit import Browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("chromium"),
]


PEOPLE = {
    "nurse": "n.jones",
    "porter": "p.kim",
    "scheduler": "s.ali",
    "helpdesk": "h.lee",
    "trainer": "l.fox",
}


@pytest.mark.parametrize("role", sorted(PEOPLE))
def test_app_home_per_role_screenshot(role, tmp_path):
    username = PEOPLE[role]
    staff = Staff(f"prac-{username}", username, username, None, frozenset({role}))
    extras = HomeExtras(
        [OpenRequest("HR-000042", "help", "porter", "in-progress", "urgent")],
        [],
        frozenset({"requests", "watches"}),
    )
    view = home_view(SignedIn(f"U{role}", staff), load_policy(), extras)
    page = tmp_path / "home.html"
    page.write_text(render_view(view))
    browser = Browser(width=800, height=900)
    try:
        browser.goto(page.as_uri())
        buttons = browser.js(
            "[...document.querySelectorAll('.actions button')].map(b => [b.textContent,"
            " b.dataset.value])"
        )
        sections = browser.js("[...document.querySelectorAll('.section')].map(s => s.innerText)")
        shot = browser.screenshot(f"app-home-{role}")
    finally:
        browser.close()
    guide = role_guide(username, [role], load_policy(), load_catalog())
    assert buttons == [[c.button, c.say] for c in guide.capabilities[:10]]
    text = "\n".join(sections)
    assert "What you can do" in text and "HR-000042" in text and "bed watches" in text
    for c in guide.capabilities:
        assert c.example in text
    books = "book_appointment" in [c.intent for c in guide.capabilities]
    assert books == (role in ("nurse", "scheduler"))
    assert shot.stat().st_size > 15_000
