"""The dashboard on the real stack: a known run's figures, in the API and in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from assistant.conversation import Reply
from assistant.usage.classify import classify, reply_kinds
from intents.catalog import load_catalog
from tests.pages.browser_kit import CHROMIUM, Browser, canvas_ink

pytestmark = pytest.mark.stack
STAFF, ROLE = "r.santos", "housekeeping"  # used by no other stack test
RUN = ("any free beds on 4B", "status of my help requests", "wibble wobble blorp", "thanks")


def _report(stack, token):
    r = httpx.get(
        f"{stack.urls['gateway']}/dashboard/api/report",
        params={"days": 1, "role": ROLE},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()


def test_dashboard_stack_counts_a_known_run(stack):
    viewer = stack.token("a.admin")
    before = _report(stack, viewer)["totals"]
    token, conversation, outcomes = stack.token(STAFF), None, []
    tasks = [i.name for i in load_catalog().tasks()]
    for text in RUN:
        data = stack.post_message(token, text, conversation)
        conversation = data["conversation_id"]
        replies = [Reply(r["text"], (), r.get("custom")) for r in data["replies"]]
        outcomes.append(classify(reply_kinds(replies), tasks).outcome)
    after = _report(stack, viewer)["totals"]
    assert after["turns"] - before["turns"] == len(RUN)
    assert after["conversations"] - before["conversations"] == 1
    assert after["fallbacks"] - before["fallbacks"] == outcomes.count("fallback")
    answered = sum(o in ("success", "denied", "failure") for o in outcomes)
    assert after["task_answers"] - before["task_answers"] == answered
    assert after["task_success"] - before["task_success"] == outcomes.count("success")
    assert after["latency_p50_ms"] > 0
    print("known run outcomes:", outcomes, "dashboard totals:", after)

    if not Path(CHROMIUM).exists():
        return
    browser = Browser()
    try:
        browser.goto(f"{stack.urls['gateway']}/dashboard/")
        browser.wait_for("!document.getElementById('signin').hidden")
        browser.js(
            f"document.getElementById('token').value = {json.dumps(viewer)};"
            "document.getElementById('signin-form').requestSubmit(); true"
        )
        browser.wait_for("document.body.dataset.loaded")
        shown = browser.js(
            "Object.fromEntries([...document.querySelectorAll('#kpis dd')]"
            ".map(d => [d.dataset.key, d.textContent]))"
        )
        ink = canvas_ink(browser, "#chart-latency")
        browser.screenshot("dashboard-stack")
    finally:
        browser.close()
    assert int(shown["turns"]) >= after["turns"]  # all roles on the page
    assert ink > 200
