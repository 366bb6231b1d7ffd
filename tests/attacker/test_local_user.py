"""Another local user finds nothing in ``var/`` and no secret in ``ps``.

(``var/`` owner-only and secrets off the command line are delivered by the launcher
work of issue 15 item 5; these tests hold it to that.)
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.attacker, pytest.mark.stack]


def test_attacker_reads_nothing_in_var(stack, intruder, traversable):
    entries = sorted(traversable.rglob("*"))
    assert any(p.name == "assistant.db" for p in entries)
    files = [str(p) for p in entries if p.is_file()]
    dirs = [str(p) for p in entries if p.is_dir()]
    script = (
        'for f in "$@"; do if [ -d "$f" ]; then ls "$f" >/dev/null 2>&1 && echo "list $f"; '
        'else head -c 1 "$f" >/dev/null 2>&1 && echo "read $f"; fi; done'
    )
    opened = intruder.run("sh", "-c", script, "sh", *files, *dirs).stdout.splitlines()
    assert opened == [], f"{intruder.name} can open {len(opened)} of var/'s entries: {opened[:8]}"


def test_attacker_reads_no_database_even_by_its_known_name(stack, intruder, traversable):
    for name in ("hms.db", "assistant.db", "rasa_tracker.db", "demo.env", "log/gateway.log"):
        opened = intruder.run("head", "-c", "16", str(traversable / name))
        assert opened.returncode != 0, f"{intruder.name} read var/{name}"


def test_attacker_finds_no_secret_in_ps(stack, intruder):
    ps = intruder.run("ps", "-eo", "args", "--no-headers")
    assert ps.returncode == 0 and "python" in ps.stdout  # the stack's processes are visible
    leaked = sorted(name for name, value in stack.stack.secrets.items()
                    if value and value in ps.stdout)  # fmt: skip
    assert leaked == [], f"secrets on a command line, visible to any user: {leaked}"


def test_attacker_cannot_read_the_stack_processes_environment(stack, intruder):
    pids = [p.popen.pid for p in stack.stack.procs if p.popen is not None]
    assert pids
    for pid in pids:
        environ = intruder.run("cat", f"/proc/{pid}/environ")
        assert environ.returncode != 0 and not environ.stdout
