"""Several requests in one message: cut into clauses the gateway serves one after the other.

``segments`` finds where a message could be cut, ``reading`` is how the conversation's NLU
reads a clause on its own (``rasa_api`` asks the Rasa workers), ``splitter`` decides.
``build_splitter`` makes the gateway's splitter from settings (``None`` without
``RASA_AUTH_TOKEN``: nothing is cut).
"""

from __future__ import annotations

from typing import Any

from .reading import ClauseReader, Reading
from .splitter import ClauseRules, ClauseSplitter

__all__ = ["ClauseReader", "ClauseRules", "ClauseSplitter", "Reading", "build_splitter"]


def build_splitter(settings: Any) -> ClauseSplitter | None:
    """The splitter over the Rasa workers' HTTP API, or ``None`` when it cannot be read."""
    if not settings.rasa_auth_token or not settings.rasa_urls:
        return None
    from intents.catalog import default_catalog

    from .rasa_api import RasaClauseReader

    reader = RasaClauseReader(settings.rasa_urls, settings.rasa_auth_token)
    return ClauseSplitter(reader, ClauseRules.from_catalog(default_catalog()))
