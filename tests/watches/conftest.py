"""Fixtures for the bed-watch tests: a seeded reference HMS (in-process, its own SQLite
copy per test), the HMS client on it, the assistant store, and the fake Slack Web API."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.hms.client import FhirHmsClient
from assistant.store import open_store_at
from hms.app import create_app
from hms.db import make_engine
from hms.migrate import upgrade
from hms.seed import seed
from hms.settings import HmsSettings
from tests.fakes.slack_api import FakeSlackApi

TOKEN = "watch-test-token-0123456789"


@pytest.fixture(scope="session")
def seeded_hms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("watch-hms") / "hms.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed(engine)
    engine.dispose()
    return path


@pytest.fixture
def hms_engine(seeded_hms: Path, tmp_path: Path) -> Iterator[Any]:
    path = tmp_path / "hms.db"
    shutil.copyfile(seeded_hms, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
async def hms(hms_engine: Any, tmp_path: Path) -> AsyncIterator[FhirHmsClient]:
    """The HMS client on the reference HMS app (ASGI transport: real HTTP semantics)."""
    app = create_app(HmsSettings(var_dir=tmp_path, hms_api_token=TOKEN), hms_engine)
    transport = httpx.ASGITransport(app=app)
    async with FhirHmsClient(
        "http://hms.test/fhir/R4", TOKEN, transport=transport, ward_cache_seconds=0
    ) as client:
        yield client


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    opened = open_store_at(f"sqlite:///{tmp_path / 'assistant.db'}")
    yield opened
    opened.close()


@pytest.fixture
def fake_slack() -> Iterator[Any]:
    fake = FakeSlackApi().start()
    yield fake
    fake.stop()
