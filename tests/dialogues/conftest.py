"""Dialogue tests: make the runner modules importable (importlib mode) and print the
per-category task success of every part at the end of the run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

RESULTS = pytest.StashKey[list[Any]]()


@pytest.fixture
def dialogue_results(request: pytest.FixtureRequest) -> list[Any]:
    """Where each conversation test leaves its ``Result`` for the summary."""
    return request.config.stash.setdefault(RESULTS, [])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash.get(RESULTS, [])
    if not results:
        return
    from dialogue_summary import summary

    terminalreporter.section("dialogue task success")
    for line in summary(results).splitlines():
        terminalreporter.write_line(line)
