"""The one way a test may skip: ``missing(what)``.

Locally a test whose real part is not installed (the Rasa venv, a trained model, Chromium,
espeak-ng/sox, the Piper voice, PostgreSQL, redis-server...) is skipped with the reason.
In CI (``REQUIRE_STACK=1`` or ``REQUIRE_SERVERS=1``, set by ``.ci/run``) it fails instead,
so a green CI never hides a missing install step. ``tests/test_honest_skips.py`` checks
that no test skips any other way.
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

HOW = "run `make setup` and scripts/system-deps.sh"


def required() -> bool:
    return os.environ.get("REQUIRE_STACK") == "1" or os.environ.get("REQUIRE_SERVERS") == "1"


def missing(what: str, how: str = HOW) -> NoReturn:
    """Fail (CI) or skip (a developer machine) because ``what`` is not available."""
    if required():
        pytest.fail(f"{what} is required (REQUIRE_STACK/REQUIRE_SERVERS=1) but missing; {how}")
    pytest.skip(f"{what} is missing ({how})")


def need_binaries(*names: str) -> None:
    absent = [name for name in names if shutil.which(name) is None]
    if absent:
        missing(" and ".join(absent))


def need_module(name: str, what: str | None = None) -> None:
    import importlib.util

    if importlib.util.find_spec(name) is None:
        missing(what or f"the Python package {name}")
