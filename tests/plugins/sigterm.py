"""A SIGTERM to pytest tears its servers down, as Ctrl-C does.

The test stacks and real servers run in their own process sessions (a signal to the
terminal's group never reaches them), and fixtures stop them in ``finally`` blocks. A
SIGTERM (what ``timeout``, CI cancelling a job and supervisors send) ended pytest before
those blocks ran: whole stacks - HMS, Rasa, gateway - were left running as orphans,
holding ports, memory and CPU (found running tests under ``timeout`` next to the demo).
Here SIGTERM raises ``KeyboardInterrupt`` in the main thread, so pytest stops the way it
does on Ctrl-C: the running test ends, every fixture is torn down, the exit code is 2.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import pytest


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
