"""Load the action test doubles as ``actions_fakes``; stand in for assistant.audit if absent."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

_FAKES = Path(__file__).with_name("fakes.py")
_spec = importlib.util.spec_from_file_location("actions_fakes", _FAKES)
fakes = importlib.util.module_from_spec(_spec)
sys.modules["actions_fakes"] = fakes
_spec.loader.exec_module(fakes)

try:  # the store helper's audit package; until it exists, a local stand-in (tests only)
    import assistant.audit as _audit

    _audit.AuditEvent, _audit.AuditWriteError
except (ImportError, AttributeError):
    stub = types.ModuleType("assistant.audit")
    stub.AuditEvent = fakes.FakeAuditEvent
    stub.AuditWriteError = fakes.FakeAuditWriteError
    sys.modules["assistant.audit"] = stub


@pytest.fixture(autouse=True)
def _reset_services():
    from actions.services import set_services

    yield
    set_services(None)
