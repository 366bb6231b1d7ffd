"""Security tests: print the number of hostile inputs tried per endpoint after the run.

Set ``HOSTILE_COUNTS_JSON=<path>`` to also write the counts as JSON (for the CI note).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.security.hostile_kit import COUNTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    terminalreporter.section("hostile inputs tried per endpoint")
    width = max(len(name) for name in COUNTS)
    for name, n in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{name:<{width}}  {n:>6}")
    terminalreporter.write_line(f"{'TOTAL':<{width}}  {sum(COUNTS.values()):>6}")
    target = os.environ.get("HOSTILE_COUNTS_JSON")
    if target:
        Path(target).write_text(json.dumps(dict(sorted(COUNTS.items())), indent=1) + "\n")
