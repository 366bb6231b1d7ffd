"""HOSPITAL_CLOCK_SHIFT: the reference HMS and the assistant read one shifted hospital
clock (tests run the stack at a fixed weekday and hour with it); unset, the machine's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.hms.clock import hospital_now
from hms import models
from hms.db import make_engine
from hms.migrate import upgrade
from hms.seed import seed
from hms.timeutil import now, utcnow

WEEK = 7 * 24 * 3600


def test_clock_unset_is_the_machines(monkeypatch):
    monkeypatch.delenv("HOSPITAL_CLOCK_SHIFT", raising=False)
    machine = datetime.now(UTC)
    assert abs((now() - machine).total_seconds()) < 5
    assert abs((hospital_now() - machine).total_seconds()) < 5


def test_clock_shift_moves_the_hms_and_the_assistant_alike(monkeypatch):
    monkeypatch.setenv("HOSPITAL_CLOCK_SHIFT", str(WEEK))
    ahead = datetime.now(UTC) + timedelta(seconds=WEEK)
    assert abs((now() - ahead).total_seconds()) < 5
    assert abs((hospital_now() - ahead).total_seconds()) < 5
    assert abs((utcnow() - ahead.replace(tzinfo=None)).total_seconds()) < 5


def test_clock_shift_moves_the_seeded_calendar(monkeypatch, tmp_path):
    monkeypatch.setenv("HOSPITAL_CLOCK_SHIFT", str(3 * WEEK))
    engine = make_engine(f"sqlite:///{tmp_path / 'hms.db'}")
    upgrade(engine)
    seed(engine)
    with Session(engine) as session:
        first = session.scalars(select(models.Slot.start).order_by(models.Slot.start)).first()
    assert first is not None
    assert first.date() >= (datetime.now(UTC) + timedelta(days=20)).date()
