"""Engine and session construction (SQLite by default, PostgreSQL via psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dbkit import make_engine as _make_engine


def make_engine(url: str) -> Engine:
    """The shared engine factory (``dbkit``): SQLite gets WAL, a busy timeout and foreign keys."""
    return _make_engine(url, pool_size=10)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
