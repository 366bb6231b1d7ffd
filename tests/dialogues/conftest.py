"""Dialogue tests: print the per-category task success of every part at the end of the run."""

from __future__ import annotations

from typing import Any

import pytest

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
