"""Dialogue tests: their stack, on a fixed hospital clock; the per-category task success of
every part printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import StackHandle, running_stack

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


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    """The whole stack, its HMS and action server on the fixed hospital clock."""
    shift = clock_shift(datetime.now(HOSPITAL_TZ))
    with running_stack(tmp_path_factory, HOSPITAL_CLOCK_SHIFT=f"{shift:.0f}") as handle:
        yield handle


RESULTS = pytest.StashKey[list[Any]]()


@pytest.fixture
def dialogue_results(request: pytest.FixtureRequest) -> list[Any]:
    """Where each conversation test leaves its ``Result`` for the summary."""
    return request.config.stash.setdefault(RESULTS, [])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash.get(RESULTS, [])
    if not results:
        return
    from tests.dialogues.dialogue_summary import summary

    terminalreporter.section("dialogue task success")
    for line in summary(results).splitlines():
        terminalreporter.write_line(line)
