"""The fixed hospital clock the dialogue specs run on (tests/dialogues/README.md)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# The conversations name days as staff do ("tomorrow", "friday", "monday") and expect the
# clinic sessions and free slots of those days: they run on a hospital clock that reads the
# next Thursday, 22:45 hospital time (the HMS seeds its calendar from its own "today"), so
# "tomorrow" is a clinic day on every run, whatever the machine's date.
CLOCK_WEEKDAY, CLOCK_TIME, HOSPITAL_TZ = 3, time(22, 45), ZoneInfo("Europe/London")


def clock_shift(now: datetime) -> float:
    """Seconds from ``now`` (aware) to the next ``CLOCK_WEEKDAY`` at ``CLOCK_TIME`` (always
    ahead, so nothing the stack stamps with the machine's clock looks expired to it)."""
    local = now.astimezone(HOSPITAL_TZ)
    days = (CLOCK_WEEKDAY - local.weekday()) % 7
    target = datetime.combine(local.date() + timedelta(days=days), CLOCK_TIME, HOSPITAL_TZ)
    if target <= local:
        target = datetime.combine(target.date() + timedelta(days=7), CLOCK_TIME, HOSPITAL_TZ)
    return (target - now).total_seconds()


def clock_env(now: datetime | None = None) -> dict[str, str]:
    """The stack's environment for that clock (``HOSPITAL_CLOCK_SHIFT``)."""
    shift = clock_shift(now or datetime.now(HOSPITAL_TZ))
    return {"HOSPITAL_CLOCK_SHIFT": f"{shift:.0f}"}
