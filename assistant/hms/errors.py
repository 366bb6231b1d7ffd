"""The HMS client's error hierarchy: every failure an action can see is an ``HmsError``.

Each error carries the HTTP status (when there was a response) and the diagnostics text of
the server's ``OperationOutcome``. Diagnostics come from the server and may name records:
callers show them to the user where appropriate but never log them.
"""

from __future__ import annotations


class HmsError(Exception):
    """Base class. ``status`` is the HTTP status, ``diagnostics`` the OperationOutcome text."""

    def __init__(self, message: str, *, status: int | None = None, diagnostics: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.diagnostics = diagnostics

    def __str__(self) -> str:
        return f"{self.message}: {self.diagnostics}" if self.diagnostics else self.message


class NotFound(HmsError):
    """404/410, or a search that matched nothing where exactly one record was expected."""


class Conflict(HmsError):
    """409 (e.g. the slot is no longer free) or 412 (the version moved under us)."""

    @property
    def version_mismatch(self) -> bool:
        """True for 412 (If-Match failed); False for 409 (state conflict)."""
        return self.status == 412


class Unavailable(HmsError):
    """The HMS could not be reached: connection refused, timeout, or 5xx (after retries)."""


class Forbidden(HmsError):
    """401 (bad or missing token) or 403."""


class Invalid(HmsError):
    """400/422: the request was malformed or used an unknown code."""
