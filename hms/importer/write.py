"""Carry out a plan in the caller's transaction: bulk inserts, then guarded updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from dbkit import rowcount
from hms.importer.planned import MODELS, Plan


class StaleData(Exception):
    """A row changed between planning and writing (e.g. a slot was booked meanwhile)."""


def apply(session: Session, plan: Plan, now: datetime) -> None:
    for model in MODELS:
        rows = plan.inserts.get(model)
        if rows:
            session.execute(insert(model), rows)
    for model, ident, values, guard in plan.updates:
        table = model.__table__  # type: ignore[attr-defined]
        stmt = (
            update(table)
            .where(table.c.id == ident, *(table.c[k] == v for k, v in guard.items()))
            .values(**values, version=table.c.version + 1, updated_at=now, updated_by="import")
        )
        if rowcount(session.execute(stmt)) != 1:
            raise StaleData(f"{model.__name__}/{ident} changed during the import")
