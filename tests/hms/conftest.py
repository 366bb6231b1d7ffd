"""Shared fixtures: a migrated, seeded temporary SQLite HMS and in-process clients."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings, get_settings
from hms.app import create_app
from hms.db import make_engine
from hms.migrate import upgrade
from hms.seed import seed
from tests.hms.hms_testkit import AUTH, TOKEN


def make_settings(db_url: str, var_dir: Path) -> Settings:
    return dataclasses.replace(
        get_settings(), hms_database_url=db_url, hms_api_token=TOKEN, var_dir=var_dir
    )


@pytest.fixture(scope="session")
def hms_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("hms") / "hms.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(hms_engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    settings = make_settings(str(hms_engine.url), tmp_path_factory.mktemp("var"))
    return create_app(settings, hms_engine)


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://hms.test/fhir/R4", headers=AUTH) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def anon(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://hms.test") as test_client:
        yield test_client
