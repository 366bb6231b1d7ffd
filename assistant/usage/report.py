"""The dashboard's figures, computed from the store (so every gateway worker agrees).

Sources: ``usage_turn`` rows (turns, intents, outcomes, latency, channel, role), help-desk
tickets (hand-offs, CSAT ratings) and the audit trail's ``helpdesk_claim`` events (time to
claim). Percentiles are nearest-rank. Practice turns are reported apart (``practice``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .classify import TASK_OUTCOMES
from .log import Turn, conversation_key
from .roles import UNKNOWN

CLAIM_ACTION = "helpdesk_claim"


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    channel: str | None = None
    role: str | None = None
    practice: bool = False


@dataclass(frozen=True)
class TicketFact:
    ticket_id: str
    sender: str
    channel: str
    created_at: datetime
    rating: int | None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def days_between(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz)
    return [first + timedelta(n) for n in range((last.date() - first).days + 1)]


def _group(
    turns: Sequence[Turn], tickets: Sequence[TicketFact], claims: dict[str, float]
) -> dict[str, Any]:
    outcomes = Counter(t.outcome for t in turns)
    task = sum(outcomes[o] for o in TASK_OUTCOMES)
    conversations = {t.conversation for t in turns}
    latencies = [t.latency_ms for t in turns]
    waits = [claims[t.ticket_id] for t in tickets if t.ticket_id in claims]
    return {
        "turns": len(turns),
        "conversations": len(conversations),
        "task_answers": task,
        "task_success": outcomes["success"],
        "task_success_rate": _rate(outcomes["success"], task),
        "fallbacks": outcomes["fallback"],
        "fallback_rate": _rate(outcomes["fallback"], len(turns)),
        "handoffs": len(tickets),
        "handoff_rate": _rate(len(tickets), len(conversations)),
        "claimed": len(waits),
        "claim_p50_s": percentile(waits, 50),
        "claim_p95_s": percentile(waits, 95),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def build_report(
    turns: Iterable[Turn],
    tickets: Iterable[TicketFact],
    claims: dict[str, datetime],
    filters: Filters,
    *,
    key: str,
    tz: ZoneInfo,
) -> dict[str, Any]:
    """All the dashboard's figures for the period and filters."""
    chosen = [
        t
        for t in turns
        if filters.start <= t.at < filters.end
        and t.practice == filters.practice
        and (filters.channel is None or t.channel == filters.channel)
        and (filters.role is None or t.role == filters.role)
    ]
    role_of = {t.conversation: t.role for t in chosen}
    in_range = [t for t in tickets if filters.start <= t.created_at < filters.end]
    facts = []
    for ticket in in_range:
        role = role_of.get(conversation_key(key, ticket.sender), UNKNOWN)
        if filters.channel is not None and ticket.channel != filters.channel:
            continue
        if filters.role is not None and role != filters.role:
            continue
        facts.append((ticket, role))
    waits = {
        t.ticket_id: (claims[t.ticket_id] - t.created_at).total_seconds()
        for t, _ in facts
        if t.ticket_id in claims
    }
    ticket_list = [t for t, _ in facts]
    days = days_between(filters.start, filters.end, tz)
    index = {d: i for i, d in enumerate(days)}
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    per_day_turns: list[list[Turn]] = [[] for _ in days]
    for t in chosen:
        i = index.get(t.at.astimezone(tz).date())
        if i is None:
            continue
        per_day_turns[i].append(t)
        if t.intent and t.outcome in TASK_OUTCOMES:
            per_intent[t.intent][i] += 1
    by_channel = sorted({t.channel for t in chosen} | {t.channel for t in ticket_list})
    by_role = sorted({t.role for t in chosen} | {r for _, r in facts})
    ratings = Counter(t.rating for t in ticket_list if t.rating is not None)
    rated = sum(ratings.values())
    return {
        "filters": {
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
            "channel": filters.channel,
            "role": filters.role,
            "practice": filters.practice,
        },
        "totals": _group(chosen, ticket_list, waits),
        "per_day": {
            "days": [d.isoformat() for d in days],
            "intents": dict(sorted(per_intent.items())),
            "turns": [len(d) for d in per_day_turns],
            "fallbacks": [sum(t.outcome == "fallback" for t in d) for d in per_day_turns],
            "latency_p50_ms": [percentile([t.latency_ms for t in d], 50) for d in per_day_turns],
            "latency_p95_ms": [percentile([t.latency_ms for t in d], 95) for d in per_day_turns],
        },
        "by_channel": [
            {
                "channel": c,
                **_group(
                    [t for t in chosen if t.channel == c],
                    [t for t in ticket_list if t.channel == c],
                    waits,
                ),
            }
            for c in by_channel
        ],
        "by_role": [
            {
                "role": r,
                **_group(
                    [t for t in chosen if t.role == r], [t for t, tr in facts if tr == r], waits
                ),
            }
            for r in by_role
        ],
        "csat": {
            "counts": {str(n): ratings.get(n, 0) for n in range(1, 6)},
            "rated": rated,
            "mean": round(sum(n * c for n, c in ratings.items()) / rated, 2) if rated else None,
        },
    }


def daily_rows(turns: Iterable[Turn], filters: Filters, tz: ZoneInfo) -> list[dict[str, Any]]:
    """CSV rows: one per day x channel x role x intent x outcome, with latency percentiles."""
    groups: dict[tuple[str, str, str, str, str], list[int]] = defaultdict(list)
    for t in turns:
        if not (filters.start <= t.at < filters.end) or t.practice != filters.practice:
            continue
        if filters.channel is not None and t.channel != filters.channel:
            continue
        if filters.role is not None and t.role != filters.role:
            continue
        day = t.at.astimezone(tz).date().isoformat()
        groups[(day, t.channel, t.role, t.intent or "", t.outcome)].append(t.latency_ms)
    return [
        {
            "day": day,
            "channel": channel,
            "role": role,
            "intent": intent,
            "outcome": outcome,
            "turns": len(values),
            "latency_p50_ms": percentile(values, 50),
            "latency_p95_ms": percentile(values, 95),
        }
        for (day, channel, role, intent, outcome), values in sorted(groups.items())
    ]


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
