"""The demo/test stack launcher: ``Stack(...).start()`` / ``.stop()``."""

from .launcher import Stack, StackError
from .report import table

__all__ = ["Stack", "StackError", "table"]
