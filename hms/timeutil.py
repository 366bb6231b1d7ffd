"""Time conversions: naive UTC in the database, timezone-aware ISO 8601 on the wire."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# seconds this hospital's clock runs ahead of the machine's (negative: behind); unset in
# real use. The dialogue tests start the stack at a fixed weekday and hour with it, so
# "tomorrow" and "friday" name the same clinic days on every run.
CLOCK_SHIFT = "HOSPITAL_CLOCK_SHIFT"


def now() -> datetime:
    """The hospital's now, timezone-aware UTC (the machine's, shifted by ``CLOCK_SHIFT``)."""
    return datetime.now(UTC) + timedelta(seconds=float(os.environ.get(CLOCK_SHIFT) or 0))


def utcnow() -> datetime:
    """Now as a naive UTC datetime (the storage form), whole seconds."""
    return now().replace(tzinfo=None, microsecond=0)


def to_storage(value: datetime, default_tz: ZoneInfo) -> datetime:
    """Aware or naive (taken as ``default_tz``) -> naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    return value.astimezone(UTC).replace(tzinfo=None)


def to_wire(value: datetime, tz: ZoneInfo) -> str:
    """Naive UTC -> ISO 8601 with the hospital's offset, e.g. ``2026-03-02T09:00:00+00:00``."""
    return value.replace(tzinfo=UTC).astimezone(tz).isoformat()


def instant(value: datetime) -> str:
    """Naive UTC -> FHIR instant (``meta.lastUpdated``)."""
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
