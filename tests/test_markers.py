"""`make unit` leaves out every test that needs a server: a test that uses a server fixture
carries that server's marker even when its module forgot it (``tests/conftest.py``)."""

from __future__ import annotations

from typing import Any

from tests.conftest import SERVER_MARKERS, pytest_collection_modifyitems


class Item:
    def __init__(self, *fixtures: str) -> None:
        self.fixturenames = fixtures
        self.markers: list[Any] = []

    def add_marker(self, marker: Any) -> None:
        self.markers.append(marker)


def test_markers_server_fixtures_mark_their_tests():
    stack, both, plain = Item("stack", "tmp_path"), Item("redis_url", "postgres_url"), Item("x")
    pytest_collection_modifyitems([stack, both, plain])  # type: ignore[list-item]
    assert stack.markers == ["stack"]
    assert sorted(both.markers) == ["postgres", "redis"]
    assert plain.markers == []


def test_markers_every_server_marker_is_declared():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    declared = {m.split(":")[0] for m in pyproject["tool"]["pytest"]["ini_options"]["markers"]}
    assert set(SERVER_MARKERS.values()) <= declared
    assert {"stack", "redis", "postgres", "browser", "attacker", "rasa", "servers"} <= declared
