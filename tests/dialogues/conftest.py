"""Dialogue tests: their stack, on a fixed hospital clock; the per-category task success of
every part printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import StackHandle, running_stack
from tests.dialogues.dialogue_clock import clock_env


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackHandle]:
    """The whole stack, its HMS and action server on the fixed hospital clock."""
    with running_stack(tmp_path_factory, **clock_env()) as handle:
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
