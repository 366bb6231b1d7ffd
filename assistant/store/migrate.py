"""Run the store's Alembic migrations to head, safely when several processes start at once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from assistant.store.engine import IMMEDIATE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "assistant_alembic_version"
_PG_MIGRATION_LOCK = 0x4153_4D47  # pg_advisory_xact_lock key for store migrations


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Upgrade inside one locked transaction (BEGIN IMMEDIATE / advisory lock)."""
    config = alembic_config()
    with engine.connect().execution_options(**IMMEDIATE) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
