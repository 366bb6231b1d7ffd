"""Shared fixtures: a migrated, seeded temporary SQLite HMS and in-process clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hms.app import create_app
from hms.db import make_engine
from hms.migrate import upgrade
from hms.seed import seed
from hms.settings import HmsSettings
from tests.hms.hms_testkit import AUTH, TOKEN


def make_settings(db_url: str, var_dir: Path, **options: Any) -> HmsSettings:
    return HmsSettings(var_dir=var_dir, hms_database_url=db_url, hms_api_token=TOKEN, **options)


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


@pytest.fixture(scope="session")
def hms_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file to copy for tests that change data."""
    path = tmp_path_factory.mktemp("template") / "hms.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed(engine)
    engine.dispose()
    return path


@pytest.fixture
def fresh_engine(hms_template: Path, tmp_path: Path) -> Iterator[Any]:
    """A private copy of the seeded hospital (changes stay in this test)."""
    import shutil

    path = tmp_path / "hms.db"
    shutil.copyfile(hms_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def adt(fresh_engine: Any) -> Iterator[Any]:
    """An ADT listener on a loopback port over ``fresh_engine``."""
    from tests.hms.adt_kit import Running

    running = Running(fresh_engine).start()
    yield running
    running.stop()
