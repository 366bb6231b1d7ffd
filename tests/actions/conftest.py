"""Action tests: test doubles in ``tests.actions.fakes``; services reset after each test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _reset_services():
    from actions.services import set_services

    yield
    set_services(None)
