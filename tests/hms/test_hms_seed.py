from datetime import date

import pytest
from sqlalchemy import func, select

from hms import models
from hms.db import make_engine
from hms.migrate import upgrade
from hms.seed import AlreadySeeded, seed


def _fresh(tmp_path, name):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    return engine


def _mrns(engine):
    with engine.connect() as conn:
        return list(conn.scalars(select(models.Patient.mrn).order_by(models.Patient.id)))


def test_seed_is_deterministic(tmp_path):
    one, two = _fresh(tmp_path, "a.db"), _fresh(tmp_path, "b.db")
    first = seed(one, today=date(2026, 3, 2))
    second = seed(two, today=date(2026, 3, 2))
    assert first == second
    assert _mrns(one) == _mrns(two)
    with one.connect() as a, two.connect() as b:
        status = select(models.Location.id, models.Location.operational_status).order_by(
            models.Location.id
        )
        assert list(a.execute(status)) == list(b.execute(status))


def test_seed_counts_and_named_staff(tmp_path):
    engine = _fresh(tmp_path, "c.db")
    counts = seed(engine, today=date(2026, 3, 2)).counts
    assert counts["patient"] == 300 and counts["healthcare_service"] == 10
    assert 180 <= counts["location"] - 8 <= 220 and 35 <= counts["practitioner"] <= 45
    with engine.connect() as conn:
        mrns = _mrns(engine)
        assert len(set(mrns)) == 300 and all(len(m) == 8 and m.isdigit() for m in mrns)
        users = set(conn.scalars(select(models.Practitioner.username)))
        assert {"n.jones", "dr.patel", "s.ali", "p.kim", "h.lee", "b.okoro", "c.sam"} <= users
        occupied = conn.scalar(
            select(func.count())
            .select_from(models.Location)
            .where(models.Location.operational_status.in_(("O", "I")))
        )
        stays = conn.scalar(select(func.count()).select_from(models.Encounter))
        assert occupied == stays
        busy = conn.scalar(select(func.count()).where(models.Slot.status == "busy"))
        assert 0.2 < busy / counts["slot"] < 0.4
        assert busy == counts["appointment"]
        weekdays = {s.weekday() for s in conn.scalars(select(models.Slot.start))}
        assert weekdays <= {0, 1, 2, 3, 4}


def test_seed_refuses_twice_and_resets(tmp_path):
    engine = _fresh(tmp_path, "d.db")
    seed(engine)
    with pytest.raises(AlreadySeeded):
        seed(engine)
    assert seed(engine, reset=True).counts["patient"] == 300
    assert len(_mrns(engine)) == 300
