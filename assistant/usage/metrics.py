"""Prometheus ``/metrics``: the dashboard's counters, computed from the store at scrape.

A custom collector (``prometheus_client`` ``Collector``) reads aggregated counts from the
assistant store on every scrape, so several gateway workers (or processes) report the same
numbers without prometheus-client's multiprocess files. Practice turns are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select

from assistant.store import Store
from assistant.store.models import AuditEventRow, HelpdeskTicket, UsageTurn

from .classify import TASK_OUTCOMES
from .report import CLAIM_ACTION, utc

LATENCY_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CLAIM_BUCKETS_S = (30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
PREFIX = "hms_assistant"


def _histogram(name: str, doc: str, labels: list[str]) -> HistogramMetricFamily:
    return HistogramMetricFamily(name, doc, labels=labels)


class UsageCollector(Collector):
    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        store = self._store()
        real = UsageTurn.practice.is_(False)
        turns = CounterMetricFamily(
            f"{PREFIX}_turns",
            "Conversation turns by channel, role and outcome",
            labels=["channel", "role", "outcome"],
        )
        tasks = CounterMetricFamily(
            f"{PREFIX}_requests",
            "Task answers (requests) by intent, channel, role and outcome",
            labels=["intent", "channel", "role", "outcome"],
        )
        handoffs = CounterMetricFamily(
            f"{PREFIX}_handoffs",
            "Help-desk hand-offs (tickets opened) by channel",
            labels=["channel"],
        )
        csat = CounterMetricFamily(
            f"{PREFIX}_csat_ratings", "Hand-off satisfaction ratings (1-5)", labels=["rating"]
        )
        latency = _histogram(
            f"{PREFIX}_turn_latency_seconds", "Turn latency seen by the gateway", ["channel"]
        )
        claim = _histogram(
            f"{PREFIX}_handoff_claim_seconds", "Time from hand-off to claim by an agent", []
        )
        bucket_cols = [
            func.sum(case((UsageTurn.latency_ms <= int(b * 1000), 1), else_=0))
            for b in LATENCY_BUCKETS_S
        ]
        with store.read() as session:
            for channel, role, outcome, count in session.execute(
                select(UsageTurn.channel, UsageTurn.role, UsageTurn.outcome, func.count())
                .where(real)
                .group_by(UsageTurn.channel, UsageTurn.role, UsageTurn.outcome)
            ):
                turns.add_metric([channel, role, outcome], float(count))
            for intent, channel, role, outcome, count in session.execute(
                select(
                    UsageTurn.intent,
                    UsageTurn.channel,
                    UsageTurn.role,
                    UsageTurn.outcome,
                    func.count(),
                )
                .where(real, UsageTurn.intent.is_not(None), UsageTurn.outcome.in_(TASK_OUTCOMES))
                .group_by(UsageTurn.intent, UsageTurn.channel, UsageTurn.role, UsageTurn.outcome)
            ):
                tasks.add_metric([intent, channel, role, outcome], float(count))
            for row in session.execute(
                select(
                    UsageTurn.channel,
                    func.count(),
                    func.coalesce(func.sum(UsageTurn.latency_ms), 0),
                    *bucket_cols,
                )
                .where(real)
                .group_by(UsageTurn.channel)
            ):
                channel, count, total_ms, *cumulative = row
                buckets: list[tuple[str, float]] = [
                    (str(b), float(c or 0))
                    for b, c in zip(LATENCY_BUCKETS_S, cumulative, strict=True)
                ]
                buckets.append(("+Inf", float(count)))
                latency.add_metric([channel], buckets, float(total_ms) / 1000)
            ticket_rows = session.execute(
                select(
                    HelpdeskTicket.id,
                    HelpdeskTicket.channel,
                    HelpdeskTicket.created_at,
                    HelpdeskTicket.rating,
                )
            ).all()
            claim_rows = session.execute(
                select(AuditEventRow.resource, AuditEventRow.at)
                .where(AuditEventRow.action == CLAIM_ACTION, AuditEventRow.outcome == "success")
                .order_by(AuditEventRow.seq)
            ).all()
        per_channel: dict[str, int] = {}
        ratings = dict.fromkeys(range(1, 6), 0)
        created: dict[str, Any] = {}
        for number, channel, created_at, rating in ticket_rows:
            per_channel[channel] = per_channel.get(channel, 0) + 1
            if rating in ratings:
                ratings[rating] += 1
            created[f"HD-{number:06d}"] = utc(created_at)
        for channel, count in sorted(per_channel.items()):
            handoffs.add_metric([channel], float(count))
        for rating, count in ratings.items():
            csat.add_metric([str(rating)], float(count))
        waits: dict[str, float] = {}
        for resource, at in claim_rows:
            ticket = str(resource or "").removeprefix("Ticket/")
            if ticket in created and ticket not in waits:
                waits[ticket] = max(0.0, (utc(at) - created[ticket]).total_seconds())
        claim_buckets = [
            (str(b), float(sum(w <= b for w in waits.values()))) for b in CLAIM_BUCKETS_S
        ]
        claim_buckets.append(("+Inf", float(len(waits))))
        claim.add_metric([], claim_buckets, sum(waits.values()))
        yield from (turns, tasks, handoffs, csat, latency, claim)
