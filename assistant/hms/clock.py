"""The hospital's now as the assistant reads it: the machine's clock, shifted by
``HOSPITAL_CLOCK_SHIFT`` seconds when set (the reference HMS reads the same variable,
``hms.timeutil``), so the assistant and the HMS agree on what "today" and "tomorrow" are.
Unset in real use; the dialogue tests set it to run at a fixed weekday and hour."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

CLOCK_SHIFT = "HOSPITAL_CLOCK_SHIFT"


def clock_shift() -> float:
    """Seconds the hospital's clock runs ahead of the machine's (0 unless set)."""
    return float(os.environ.get(CLOCK_SHIFT) or 0)


def hospital_now() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC) + timedelta(seconds=clock_shift())
