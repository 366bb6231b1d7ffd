"""Alembic environment for the assistant store.

Run through ``assistant.store.migrate`` (which passes an open connection inside a locked
transaction); ``alembic`` on the command line is not needed.
"""

from __future__ import annotations

from alembic import context

from assistant.store.models import Base

VERSION_TABLE = "assistant_alembic_version"

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always given by assistant.store.migrate
    raise RuntimeError("run migrations through assistant.store.open_store / migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
