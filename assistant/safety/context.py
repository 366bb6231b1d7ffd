"""The safety level of the message being handled, for the layers below the safety net.

``SafetyNetAssistant`` sets it around the turn; ``RasaAssistant`` passes it to Rasa as
``metadata.safety`` (no PHI: one of emergency / caution / none) and the handoff relay
reads it. A context variable, so concurrent conversations never see each other's level
and the ``Assistant`` protocol (``send(staff, channel, conversation, text)``) is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_LEVEL: ContextVar[str | None] = ContextVar("safety_level", default=None)


def current_level() -> str | None:
    """``emergency`` / ``caution`` / ``none``, or None outside the safety net."""
    return _LEVEL.get()


@contextmanager
def assessed(level: str) -> Iterator[None]:
    token = _LEVEL.set(level)
    try:
        yield
    finally:
        _LEVEL.reset(token)
