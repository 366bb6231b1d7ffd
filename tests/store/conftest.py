from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from assistant.crypto import DataCipher
from assistant.store import Store, open_store_at


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'assistant.db'}"


@pytest.fixture
def store(db_url) -> Iterator[Store]:
    opened = open_store_at(db_url)
    yield opened
    opened.close()


@pytest.fixture
def data_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def cipher(data_key) -> DataCipher:
    return DataCipher([data_key])
