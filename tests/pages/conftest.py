"""Browser tests: Debian's Chromium or an honest skip (a failure under REQUIRE_STACK)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pages.browser_kit import CHROMIUM
from tests.require import missing


@pytest.fixture
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        missing("Debian's chromium")
    return CHROMIUM
