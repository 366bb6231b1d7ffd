"""The HMS's ADT feed and pilot import on a real PostgreSQL server (migrations included)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from hms import models
from hms.config import HmsOptions
from hms.db import make_engine
from hms.importer.run import run_import
from hms.migrate import upgrade
from hms.models import Base
from hms.seed import seed
from tests.hms.adt_kit import Running, exchange, sample

pytestmark = pytest.mark.postgres
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def pg_hms(postgres_url: str) -> Iterator[Any]:
    name = f"hms_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(postgres_url.rsplit("/", 1)[0] + f"/{name}")
    upgrade(engine)
    seed(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_hms_postgres_migrations_match_the_models(pg_hms):
    with pg_hms.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_hms_postgres_adt_feed_applies_and_dedupes(pg_hms):
    running = Running(pg_hms).start()
    try:
        acks = exchange(
            running.port,
            sample("a01_admit"),
            sample("a02_transfer"),
            sample("a02_transfer"),  # a repeat
            sample("a03_discharge"),
            sample("a20_bed_cleaned"),
            sample("a01_admit").replace("4B^Bay 1^06", "4Z^Bay 1^06").replace("0101", "0199"),
        )
    finally:
        running.stop()
    assert [a.code for a in acks] == ["AA", "AA", "AA", "AA", "AA", "AE"]
    with Session(pg_hms) as s:
        rows = s.execute(
            select(models.Location.code, models.Location.operational_status).where(
                models.Location.code.in_(["4B-06", "ICU-16"])
            )
        ).all()
        statuses = {code: status for code, status in rows}
        assert statuses == {"4B-06": "H", "ICU-16": "U"}
        assert s.scalar(select(models.AdtDeadLetter.error_code)) == "204"


def test_hms_postgres_import_commit_is_idempotent(pg_hms):
    paths = [*sorted((DATA / "legacy").glob("*.csv")), DATA / "fhir" / "hms_pilot_collection.json"]
    now = datetime(2026, 3, 1, 9, 0)
    tz = ZoneInfo("Europe/London")
    first = run_import(pg_hms, paths, HmsOptions(), tz, commit=True, now=now)
    assert all(r.committed for r in first)
    assert sum(r.create.get("Patient", 0) for r in first) == 9
    second = run_import(pg_hms, paths, HmsOptions(), tz, commit=True, now=now)
    assert all(r.create == {} and r.update == {} for r in second)
