"""Dashboard figures from a known set of turns, tickets and claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.usage.log import Turn, UsageLog, conversation_key
from assistant.usage.report import Filters, TicketFact, build_report, daily_rows, percentile

KEY = "k"
TZ = ZoneInfo("Europe/London")
DAY1 = datetime(2026, 3, 2, 10, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)
FILTERS = Filters(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC))


def turn(
    at, outcome, intent=None, *, channel="rest", role="nurse", conv="a", ms=100, practice=False
):
    sender = f"{channel}:x:{conv}"
    return Turn(
        at, channel, role, intent, outcome, None, ms, conversation_key(KEY, sender), practice
    )


TURNS = [
    turn(DAY1, "success", "check_bed_availability", ms=100),
    turn(DAY1, "success", "check_bed_availability", ms=200),
    turn(DAY1, "fallback", ms=300),
    turn(DAY1, "denied", "book_appointment", channel="slack", role="porter", conv="b", ms=400),
    turn(DAY2, "failure", "request_help", channel="kiosk", role="nurse", conv="c", ms=500),
    turn(DAY2, "question", channel="kiosk", conv="c", ms=600),
    turn(DAY2, "success", "request_help", conv="z", ms=50, practice=True),  # practice: apart
    turn(DAY1 - timedelta(days=3), "success", "find_patient"),  # outside the period
]
TICKETS = [
    TicketFact("HD-000001", "rest:x:a", "rest", DAY1 + timedelta(minutes=1), 4),
    TicketFact("HD-000002", "kiosk:x:c", "kiosk", DAY2 + timedelta(minutes=1), 2),
]
CLAIMS = {"HD-000001": DAY1 + timedelta(minutes=3)}


def test_percentile_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([7], 95) == 7


def test_report_totals_match_the_known_run():
    report = build_report(TURNS, TICKETS, CLAIMS, FILTERS, key=KEY, tz=TZ)
    t = report["totals"]
    assert t["turns"] == 6 and t["conversations"] == 3
    assert t["task_answers"] == 4 and t["task_success"] == 2 and t["task_success_rate"] == 0.5
    assert t["fallbacks"] == 1 and t["fallback_rate"] == round(1 / 6, 4)
    assert t["handoffs"] == 2 and t["handoff_rate"] == round(2 / 3, 4)
    assert t["claimed"] == 1 and t["claim_p50_s"] == 120.0
    assert t["latency_p50_ms"] == 300 and t["latency_p95_ms"] == 600
    assert report["csat"] == {
        "counts": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0},
        "rated": 2,
        "mean": 3.0,
    }


def test_report_per_day_and_by_channel_and_role():
    report = build_report(TURNS, TICKETS, CLAIMS, FILTERS, key=KEY, tz=TZ)
    pd = report["per_day"]
    assert pd["days"] == ["2026-03-02", "2026-03-03"]
    assert pd["intents"] == {
        "book_appointment": [1, 0],
        "check_bed_availability": [2, 0],
        "request_help": [0, 1],
    }
    assert pd["turns"] == [4, 2] and pd["fallbacks"] == [1, 0]
    channels = {row["channel"]: row for row in report["by_channel"]}
    assert channels["kiosk"]["turns"] == 2 and channels["kiosk"]["handoffs"] == 1
    assert channels["slack"]["task_success_rate"] == 0.0
    roles = {row["role"]: row for row in report["by_role"]}
    assert roles["porter"]["turns"] == 1 and roles["nurse"]["handoffs"] == 2


def test_report_filters_by_channel_role_and_practice():
    kiosk = build_report(
        TURNS, TICKETS, CLAIMS, Filters(FILTERS.start, FILTERS.end, channel="kiosk"), key=KEY, tz=TZ
    )
    assert kiosk["totals"]["turns"] == 2 and kiosk["totals"]["handoffs"] == 1
    porter = build_report(
        TURNS, TICKETS, CLAIMS, Filters(FILTERS.start, FILTERS.end, role="porter"), key=KEY, tz=TZ
    )
    assert porter["totals"]["turns"] == 1 and porter["totals"]["handoffs"] == 0
    practice = build_report(
        TURNS, TICKETS, CLAIMS, Filters(FILTERS.start, FILTERS.end, practice=True), key=KEY, tz=TZ
    )
    assert practice["totals"]["turns"] == 1


def test_daily_rows_group_for_the_csv():
    rows = daily_rows(TURNS, FILTERS, TZ)
    assert {
        "day": "2026-03-02",
        "channel": "rest",
        "role": "nurse",
        "intent": "check_bed_availability",
        "outcome": "success",
        "turns": 2,
        "latency_p50_ms": 100,
        "latency_p95_ms": 200,
    } in rows
    assert sum(r["turns"] for r in rows) == 6


def test_usage_log_round_trip_and_purge(tmp_path):
    from assistant.store import open_store_at

    store = open_store_at(f"sqlite:///{tmp_path / 'a.db'}")
    log = UsageLog(store)
    for t in TURNS:
        log.record(t)
    assert log.turns(FILTERS.start, FILTERS.end)[0] == TURNS[0]
    assert len(log.turns()) == len(TURNS)
    assert log.purge(FILTERS.start) == 1
    assert len(log.turns()) == len(TURNS) - 1
    store.close()
