"""SQLAlchemy engines for every store: the assistant's (audit, help queue, tracker store) and
the reference HMS's. SQLite by default, PostgreSQL through psycopg 3.

A neutral package like ``phi_filter``: it imports nothing of ``assistant`` or ``hms``, so
both use it.

SQLite files are shared by several processes, so every connection gets WAL, a busy timeout
and foreign keys. A store whose transactions read and then write across processes (the
assistant's audit chain, its migrations) asks for ``explicit_begin``: pysqlite's own lazy
transaction handling is replaced by an explicit ``BEGIN``, and a connection created with the
execution option ``IMMEDIATE`` takes the write lock when its transaction starts. The
reference HMS keeps pysqlite's lazy ``BEGIN`` (reads outside a transaction never meet a
stale snapshot under concurrent writers).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event

BUSY_TIMEOUT_MS = 30_000
IMMEDIATE = {"sqlite_begin": "IMMEDIATE"}


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, *, pool_size: int = 5, explicit_begin: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout, foreign keys and, with
    ``explicit_begin``, explicit ``BEGIN`` / ``BEGIN IMMEDIATE``."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )
    event.listen(engine, "connect", _explicit_connect if explicit_begin else _sqlite_pragmas)
    if explicit_begin:
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE/DELETE executed through a Session."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        except Exception:  # noqa: S110 - read-only files cannot switch journal mode
            pass
    finally:
        cursor.close()


def _explicit_connect(dbapi_conn: Any, record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's default is lazy BEGIN).
    dbapi_conn.isolation_level = None
    _sqlite_pragmas(dbapi_conn, record)


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")
