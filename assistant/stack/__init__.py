"""The demo/test stack launcher: ``Stack(...).start()`` / ``.watch()`` / ``.stop()``."""

from .launcher import PROFILES, Stack
from .procs import StackError
from .report import table

__all__ = ["PROFILES", "Stack", "StackError", "table"]
