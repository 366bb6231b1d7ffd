"""The local-attacker tier: a process on the same machine under another user id.

``intruder`` creates a throwaway system user (``useradd``; the tests run as root in CI)
and runs commands as that user with ``runuser``. Without root the tier cannot run: it
fails under REQUIRE_STACK/REQUIRE_SERVERS and is skipped elsewhere (``tests.require``).
Every test here would have found a way in on the main branch this tier was written
against; each names the path it closes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.require import missing


@dataclass(frozen=True)
class Intruder:
    name: str

    def run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["runuser", "-u", self.name, "--", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd="/",
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
        )


@pytest.fixture(scope="session")
def intruder() -> Iterator[Intruder]:
    if os.geteuid() != 0:
        missing("root, to create a throwaway local user (useradd) for the attacker tier")
    if shutil.which("useradd") is None or shutil.which("runuser") is None:
        missing("useradd and runuser (packages passwd, util-linux)")
    name = f"hmsatk{secrets.token_hex(3)}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    try:
        yield Intruder(name)
    finally:
        subprocess.run(["userdel", name], capture_output=True)


@pytest.fixture
def traversable(stack) -> Iterator[Path]:
    """The stack's var dir and its ancestors searchable by others (o+x: no listing, no read).

    The test stack's var dir is made by pytest (already 0700) inside pytest's private temp
    dir; a real install lives in a checkout others can usually traverse (e.g. /srv/hms).
    Allowing traversal (never listing) makes the test about the permissions of what the
    stack itself created in ``var/``: every file and directory must be owner-only.
    """
    var = Path(stack.var_dir).resolve()
    changed: list[tuple[Path, int]] = []
    for parent in (var, *var.parents):
        mode = parent.stat().st_mode & 0o7777
        if not mode & 0o001:
            changed.append((parent, mode))
            parent.chmod(mode | 0o001)
    try:
        yield var
    finally:
        for parent, mode in changed:
            parent.chmod(mode)
