"""The assistant store (SQLAlchemy 2 + Alembic): audit trail, help-desk tickets, tokens.

``open_store(settings)`` builds the engine from ``settings.assistant_database_url``
(SQLite ``var/assistant.db`` by default, PostgreSQL via ``postgresql+psycopg://``) and
migrates to head on first open. Use ``store.read()`` for reads and ``store.write()`` for
transactions that read and then write (on SQLite it takes the write lock up front with
``BEGIN IMMEDIATE`` so two processes never dead-lock on a lock upgrade).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.store.engine import IMMEDIATE, make_engine, normalise_url
from assistant.store.migrate import current_revision, head_revision, upgrade_to_head
from dbkit import rowcount

__all__ = [
    "Store",
    "StoreError",
    "make_engine",
    "open_store",
    "open_store_at",
    "rowcount",
    "short_read",
]

T = TypeVar("T")


class StoreError(Exception):
    """The assistant store cannot be opened or used."""


@dataclass(frozen=True)
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (commits at the end so writes are possible but unlocked)."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction holds the write lock from its start (SQLite)."""
        with self.write_sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    @property
    def reads_inline(self) -> bool:
        """SQLite (WAL): a one-row read by key never waits for a writer and costs less CPU
        than the hop to a worker thread and back; see ``short_read``."""
        return self.dialect == "sqlite"


async def short_read(store: Store, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, a short read of ``store`` asked by an async caller on every message
    (is this token revoked, is this staff member in practice mode, has this conversation
    an open ticket): on the event loop for SQLite (``Store.reads_inline``), in a worker
    thread for a database across the network. Writes always go to a thread (on SQLite
    they may wait for another process's write lock)."""
    if store.reads_inline:
        return fn(*args)
    return await asyncio.to_thread(fn, *args)


def _ensure_sqlite_dir(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url and not url.startswith(prefix + "file:"):
        Path(url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)


def open_store_at(url: str, *, migrate: bool = True) -> Store:
    """Open the store at a database URL; run migrations to head unless already there."""
    url = normalise_url(url)
    try:
        _ensure_sqlite_dir(url)
    except OSError as exc:
        raise StoreError(f"cannot create the store's directory: {exc.strerror}") from exc
    engine = make_engine(url)
    try:
        if migrate and current_revision(engine) != head_revision():
            upgrade_to_head(engine)
    except Exception as exc:
        engine.dispose()
        raise StoreError(f"cannot open the assistant store: {type(exc).__name__}") from exc
    return Store(
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        write_sessions=sessionmaker(engine.execution_options(**IMMEDIATE), expire_on_commit=False),
    )


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    """Open the store of these settings (``assistant_database_url``)."""
    return open_store_at(settings.assistant_database_url, migrate=migrate)
