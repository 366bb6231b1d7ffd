"""The dashboard's API, CSV, /metrics and sign-in, on a gateway with a known run."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from assistant.usage.log import UsageLog
from tests.pages.pages_kit import EXPECTED, KNOWN_RUN, add_handoff, build


def client(app):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


@pytest.fixture
async def gw(tmp_path):
    gw = build(tmp_path)
    async with gw.app.router.lifespan_context(gw.app), client(gw.app) as c:
        for staff, _, conversation, text in KNOWN_RUN:
            r = await c.post(
                "/api/v1/messages",
                json={"text": text, "conversation_id": conversation},
                headers={"Authorization": f"Bearer {gw.token(staff)}"},
            )
            assert r.status_code == 200
        add_handoff(gw)
        await gw.app.state.ctx.usage.flush()  # rows go behind the replies (usage/buffer.py)
        yield gw
    gw.store.close()


async def test_dashboard_report_matches_the_known_run(gw):
    async with client(gw.app) as c:
        r = await c.get(
            "/dashboard/api/report", headers={"Authorization": f"Bearer {gw.token('h.lee')}"}
        )
    assert r.status_code == 200
    totals = r.json()["totals"]
    for key, value in EXPECTED.items():
        assert totals[key] == value, key
    assert totals["claim_p50_s"] == pytest.approx(150, abs=5)
    assert r.json()["csat"]["counts"]["4"] == 1
    roles = {row["role"]: row["turns"] for row in r.json()["by_role"]}
    assert roles == {"nurse": 5, "porter": 3}
    latencies = sorted(t.latency_ms for t in UsageLog(gw.store).turns())
    assert totals["latency_p95_ms"] == latencies[-1]


async def test_dashboard_turn_rows_hold_no_text(gw):
    with gw.store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM usage_turn").fetchall()
    assert len(rows) == len(KNOWN_RUN)
    flat = " ".join(str(v) for row in rows for v in row)
    for _, _, conversation, text in KNOWN_RUN:
        assert text not in flat and f"n.jones:{conversation}" not in flat


async def test_dashboard_needs_usage_read(gw):
    async with client(gw.app) as c:
        assert (await c.get("/dashboard/api/report")).status_code == 401
        nurse = {"Authorization": f"Bearer {gw.token('n.jones')}"}
        r = await c.get("/dashboard/api/report", headers=nurse)
        assert r.status_code == 403 and "usage:read" in r.json()["detail"]
        admin = {"Authorization": f"Bearer {gw.token('a.admin')}"}
        assert (await c.get("/dashboard/api/report", headers=admin)).status_code == 200


async def test_dashboard_session_cookie_signs_in_and_out(gw):
    async with client(gw.app) as c:
        r = await c.post("/staff/session", json={"token": gw.token("h.lee")})
        assert r.status_code == 200 and "usage:read" in r.json()["permissions"]
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert (await c.get("/dashboard/api/report")).status_code == 200
        await c.delete("/staff/session")
        assert (await c.get("/dashboard/api/report")).status_code == 401


async def test_dashboard_session_refuses_bad_token_and_cross_site(gw):
    async with client(gw.app) as c:
        assert (
            await c.post("/staff/session", json={"token": "not-a-token-at-all"})
        ).status_code == 401
        r = await c.post(
            "/staff/session",
            json={"token": gw.token("h.lee")},
            headers={"Origin": "https://evil.example"},
        )
        assert r.status_code == 403


async def test_dashboard_csv_export(gw):
    headers = {"Authorization": f"Bearer {gw.token('h.lee')}"}
    async with client(gw.app) as c:
        daily = await c.get("/dashboard/export.csv", headers=headers)
        roles = await c.get("/dashboard/export.csv?table=roles", headers=headers)
        bad = await c.get("/dashboard/export.csv?table=passwords", headers=headers)
    assert daily.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(daily.text)))
    assert sum(int(r["turns"]) for r in rows) == EXPECTED["turns"]
    assert {"day", "channel", "role", "intent", "outcome", "turns"} <= set(rows[0])
    by_role = {r["role"]: r for r in csv.DictReader(io.StringIO(roles.text))}
    assert by_role["porter"]["turns"] == "3"
    assert bad.status_code == 422


async def test_metrics_exposes_the_same_counters(gw):
    async with client(gw.app) as c:
        assert (await c.get("/metrics")).status_code == 401
        r = await c.get("/metrics", headers={"Authorization": "Bearer prom-secret-token"})
        staff = await c.get("/metrics", headers={"Authorization": f"Bearer {gw.token('a.admin')}"})
    assert r.status_code == 200 and staff.status_code == 200
    text = r.text
    assert 'hms_assistant_turns_total{channel="rest",outcome="fallback",role="nurse"} 2.0' in text
    assert (
        'hms_assistant_requests_total{channel="rest",intent="check_bed_availability",'
        'outcome="success",role="nurse"} 2.0'
    ) in text
    assert 'hms_assistant_handoffs_total{channel="rest"} 1.0' in text
    assert 'hms_assistant_csat_ratings_total{rating="4"} 1.0' in text
    assert 'hms_assistant_turn_latency_seconds_count{channel="rest"} 8.0' in text
    assert "hms_assistant_handoff_claim_seconds_count 1.0" in text


async def test_dashboard_page_and_vendored_chart_library_are_served_locally(gw):
    async with client(gw.app) as c:
        page = await c.get("/dashboard/")
        lib = await c.get("/dashboard/static/vendor/uPlot.iife.min.js")
        escape = await c.get("/dashboard/static/..%2Fauth.py")
    assert (
        page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    )
    assert "http" not in page.text.replace("http-equiv", "")  # no CDN
    assert lib.status_code == 200 and "uPlot" in lib.text[:5000]
    assert escape.status_code == 404
