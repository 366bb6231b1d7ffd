"""The dashboard in headless Chromium: sign in, figures of a known run, charts, screenshot."""

from __future__ import annotations

import json

import httpx
import pytest

from assistant.usage.log import UsageLog
from assistant.usage.report import percentile
from tests.pages.browser_kit import Browser, canvas_ink, png_size, serve
from tests.pages.pages_kit import EXPECTED, KNOWN_RUN, add_handoff, build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("chromium"),
]


def test_dashboard_browser_shows_the_known_run(tmp_path):
    gw = build(tmp_path)
    with serve(gw.app) as base:
        for staff, _, conversation, text in KNOWN_RUN:
            r = httpx.post(
                f"{base}/api/v1/messages",
                json={"text": text, "conversation_id": conversation},
                headers={"Authorization": f"Bearer {gw.token(staff)}"},
            )
            assert r.status_code == 200
        add_handoff(gw, claim_after=150, rating=4)
        browser = Browser()
        try:
            browser.goto(f"{base}/dashboard/")
            browser.wait_for("!document.getElementById('signin').hidden")
            browser.js(
                f"document.getElementById('token').value = {json.dumps(gw.token('h.lee'))};"
                "document.getElementById('signin-form').requestSubmit(); true"
            )
            browser.wait_for("document.body.dataset.loaded")
            shown = browser.js(
                "Object.fromEntries([...document.querySelectorAll('#kpis dd')]"
                ".map(d => [d.dataset.key, d.textContent]))"
            )
            roles = browser.js(
                "Object.fromEntries([...document.querySelectorAll('#by-role tbody tr')]"
                ".map(r => [r.dataset.key, r.querySelector('[data-key=turns]').textContent]))"
            )
            ink = {
                name: canvas_ink(browser, f"#chart-{name}")
                for name in ("intents", "turns", "latency", "csat")
            }
            shot = browser.screenshot("dashboard")
            axe = browser.axe()
        finally:
            browser.close()
        # read after the page: usage rows are written behind the replies, and the
        # dashboard's read flushed them (assistant/usage/buffer.py)
        latencies = [t.latency_ms for t in UsageLog(gw.store).turns()]
    gw.store.close()
    print("dashboard figures:", shown)
    assert shown["turns"] == str(EXPECTED["turns"])
    assert shown["conversations"] == str(EXPECTED["conversations"])
    assert shown["task_success_rate"] == "60.0%"  # 3 of 5 task answers
    assert shown["fallback_rate"] == "25.0%"  # 2 of 8 turns
    assert shown["handoff_rate"] == "25.0%"  # 1 ticket in 4 conversations
    assert shown["claim_p50_s"] == "2.5 min"  # claimed 150 s after it opened
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    assert p50 is not None and p95 is not None
    assert shown["latency_p50_ms"] == f"{round(p50)} ms"
    assert shown["latency_p95_ms"] == f"{round(p95)} ms"
    assert shown["csat_mean"] == "4.00"
    assert roles == {"nurse": "5", "porter": "3"}
    assert all(count > 200 for count in ink.values()), ink  # every chart drew its data
    width, height = png_size(shot)
    assert width == 1280 and height > 900 and shot.stat().st_size > 40_000
    serious = [v for v in axe["violations"] if v["impact"] in ("serious", "critical")]
    print(
        "axe-core",
        axe["version"],
        "dashboard:",
        len(axe["violations"]),
        "violations,",
        len(serious),
        "serious/critical",
    )
    assert serious == [], serious


def test_dashboard_browser_refuses_a_nurse(tmp_path):
    gw = build(tmp_path)
    with serve(gw.app) as base:
        browser = Browser()
        try:
            browser.goto(f"{base}/dashboard/")
            browser.wait_for("!document.getElementById('signin').hidden")
            browser.js(
                f"document.getElementById('token').value = {json.dumps(gw.token('n.jones'))};"
                "document.getElementById('signin-form').requestSubmit(); true"
            )
            message = browser.wait_for("document.getElementById('signin-error').textContent")
            board_hidden = browser.js("document.getElementById('board').hidden")
        finally:
            browser.close()
    gw.store.close()
    assert "admin or help-desk" in message and board_hidden is True
