"""Tests are a package: helpers are imported as ``tests.<package>.<module>``, never through
``sys.path``/``sys.modules`` edits or file loaders, and every test folder is a package."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TRICKS = {("sys", "path"), ("sys", "modules")}


def _tricks(path: Path, root: Path = TESTS.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    where = path.relative_to(root)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "spec_from_file_location":
            found.append(f"{where}:{node.lineno} loads a module from a file")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in TRICKS
        ):
            found.append(f"{where}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_test_layout_no_import_tricks():
    files = sorted(TESTS.rglob("*.py"))
    assert len(files) > 100
    assert [t for path in files for t in _tricks(path)] == []


def test_test_layout_scanner_catches_each_trick(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import importlib.util, sys\n"
        "sys.path.insert(0, 'x')\n"
        "sys.modules['x'] = None\n"
        "importlib.util.spec_from_file_location('x', 'x.py')\n"
    )
    assert len(_tricks(sample, tmp_path)) == 3


def test_test_layout_every_test_folder_is_a_package():
    folders = {p.parent for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts}
    missing = [str(f.relative_to(TESTS)) for f in folders if not (f / "__init__.py").exists()]
    assert missing == []
