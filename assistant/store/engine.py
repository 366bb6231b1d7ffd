"""The assistant store's engines: the shared factory (``dbkit``) with explicit ``BEGIN``, so
read-then-write transactions (audit chain append, migrations) can take SQLite's write lock
when they start (``IMMEDIATE``) and stay safe across processes."""

from __future__ import annotations

from sqlalchemy import Engine

from dbkit import BUSY_TIMEOUT_MS, IMMEDIATE, normalise_url
from dbkit import make_engine as _make_engine

__all__ = ["BUSY_TIMEOUT_MS", "IMMEDIATE", "make_engine", "normalise_url"]


def make_engine(url: str) -> Engine:
    return _make_engine(url, explicit_begin=True)
