"""Process logging with PHI redaction on every handler (the assistant's processes).

The redaction itself lives in the neutral package ``phi_filter`` (shared with the reference
HMS, which may not import the assistant); this module keeps its public names and finds the
log folder from the assistant's settings. See ``phi_filter`` for what is redacted.
Call ``configure_logging`` before starting uvicorn and pass ``log_config=None`` so uvicorn
keeps these handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import phi_filter
from phi_filter import (
    FORMAT,
    LIBRARY_LOGGERS,
    REDACTED,
    PhiRedactionFilter,
    install_record_factory,
    redact_phi,
)

__all__ = [
    "FORMAT",
    "LIBRARY_LOGGERS",
    "REDACTED",
    "PhiRedactionFilter",
    "configure_logging",
    "install_record_factory",
    "redact_phi",
]


def configure_logging(
    process_name: str,
    settings: Any = None,
    *,
    level: int | str = logging.INFO,
    names: Iterable[str] = (),
    stream: Any = None,
) -> PhiRedactionFilter:
    """Log to stderr and ``<var>/log/<process_name>.log`` through the PHI filter."""
    if settings is None:
        from assistant.config import get_settings

        settings = get_settings()
    return phi_filter.configure_logging(
        process_name, settings.log_dir, level=level, names=names, stream=stream
    )
