"""Action tests: test doubles in ``tests.actions.fakes``; services reset after each test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _reset_services():
    from actions.services import set_services

    yield
    set_services(None)


@pytest.fixture
def watches(tmp_path):
    """A bed-watch store in a fresh SQLite file, set for the actions; closed after."""
    from actions.watches import set_watch_store
    from assistant.store import open_store_at
    from assistant.watches.store import WatchStore
    from tests.actions.fakes import NOW

    store = open_store_at(f"sqlite:///{tmp_path / 'assistant.db'}")
    made = WatchStore(store, clock=lambda: NOW)
    set_watch_store(made)
    yield made
    set_watch_store(None)
    store.close()
