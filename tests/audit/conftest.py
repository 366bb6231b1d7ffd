from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.audit import AuditEvent
from assistant.audit.trail import SqlAuditTrail
from assistant.store import open_store_at
from tests.keys import AUDIT_KEYS


class StepClock:
    """Deterministic clock: each call is one second later."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def make_event():
    return _make_event


def _make_event(i: int = 0, **overrides) -> AuditEvent:
    fields = dict(
        staff="n.jones",
        role="nurse",
        channel="slack",
        intent="find_free_bed",
        action="action_find_free_bed",
        permission="beds:read",
        resource="Location/ward-4b",
        patient_ref=None,
        outcome="success",
        detail=f"event {i}",
    )
    fields.update(overrides)
    return AuditEvent(**fields)  # type: ignore[arg-type]


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'assistant.db'}"


@pytest.fixture
def clock() -> StepClock:
    return StepClock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def trail(db_url, clock):
    store = open_store_at(db_url)
    yield SqlAuditTrail(store, AUDIT_KEYS, clock=clock)
    store.close()
