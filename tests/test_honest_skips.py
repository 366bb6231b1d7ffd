"""Honest CI: no test skips quietly.

Every skip goes through ``tests.require.missing`` (skip locally, fail under
``REQUIRE_STACK``/``REQUIRE_SERVERS``); ``tests/conftest.py`` also turns any other skip
into a failure under those variables. This test scans the suite's source for the ways a
test can skip on its own (known failures, ``xfail``, are reported as such, not skipped).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ALLOWED = {TESTS / "require.py"}
SKIPPING = {"skip", "skipif", "importorskip", "skipTest"}


def _problems(path: Path, root: Path = TESTS.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SKIPPING:
            found.append(f"{path.relative_to(root)}:{node.lineno} uses .{node.attr}")
    return found


def test_honest_skips_no_test_skips_outside_the_require_helper():
    files = [p for p in TESTS.rglob("*.py") if p not in ALLOWED]
    assert len(files) > 50
    problems = [problem for path in sorted(files) for problem in _problems(path)]
    assert problems == [], "skip only through tests.require.missing:\n" + "\n".join(problems)


def test_honest_skips_scanner_catches_each_way_to_skip(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n"
        "pytestmark = pytest.mark.skipif(True, reason='x')\n"
        "@pytest.mark.skip\n"
        "def test_a():\n    pytest.skip('x')\n"
        "def test_b():\n    pytest.importorskip('nothing')\n"
    )
    assert len(_problems(sample, tmp_path)) == 4
