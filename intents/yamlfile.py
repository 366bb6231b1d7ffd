"""The project's YAML reader for its data files (catalog, policy, NLU data, safety data).

Safe loading only, with libyaml's C parser when PyYAML was built with it (it is in the
pinned wheels): the same documents, about ten times faster than the pure-Python parser,
which matters because every gateway, action server and test app reads the catalog and
the policy when it is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def safe_load(source: str | bytes | IO[str] | IO[bytes]) -> Any:
    """Parse one YAML document (text or an open file) with safe tags only."""
    return yaml.load(source, Loader=SafeLoader)  # noqa: S506 - a safe loader


def read_yaml(path: Path) -> Any:
    """Parse a UTF-8 YAML file."""
    return safe_load(path.read_text(encoding="utf-8"))
