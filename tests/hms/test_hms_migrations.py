from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from hms.db import make_engine
from hms.migrate import is_migrated, upgrade
from hms.models import Base


def test_migrate_creates_all_tables_on_empty_db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not is_migrated(engine)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {
        "location",
        "patient",
        "encounter",
        "practitioner",
        "practitioner_role",
        "healthcare_service",
        "schedule",
        "slot",
        "appointment",
        "task",
        "alembic_version",
    } <= tables
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_migrate_cli_uses_settings_url(tmp_path, monkeypatch):
    from hms.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HMS_DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    assert main(["migrate"]) == 0
    assert is_migrated(make_engine(url))
