"""One child process of the stack: how to start it, tell it is ready, and stop it.

Each child leads its own session (``start_new_session``): Ctrl-C in a terminal or a
signal to the launcher's process group reaches the launcher only, which then stops the
children in order, each by signalling its whole process group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

Ready = Callable[[], bool]


class StackError(Exception):
    """A process did not start or did not become healthy."""


def http_ready(url: str) -> Ready:
    def ready() -> bool:
        try:
            return httpx.get(url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    return ready


def tcp_ready(host: str, port: int) -> Ready:
    def ready() -> bool:
        try:
            with socket.create_connection((host, port), timeout=2.0):
                return True
        except OSError:
            return False

    return ready


def socket_ready(path: Path) -> Ready:
    def ready() -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1.0)
                sock.connect(str(path))
            return True
        except OSError:
            return False

    return ready


@dataclass
class Proc:
    name: str
    argv: list[str]
    health_url: str | None  # GET answers 200 when ready (or ``ready`` below)
    log_path: Path  # the process's own log (configure_logging writes it)
    console_path: Path | None = None  # stdout/stderr, when not the same file
    env: Mapping[str, str] | None = None  # None: the stack's environment for its role
    role: str = "app"
    ready: Ready | None = None
    user: str | None = None  # run as this system user (PostgreSQL when we are root)
    stop_signal: signal.Signals = signal.SIGTERM
    restartable: bool = True  # started again when it dies (``Stack.watch``), any profile
    popen: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None
    restarts: int = 0
    restart_times: list[float] = field(default_factory=list)  # monotonic, the recent ones
    started_at: float = field(default=0.0)

    @property
    def output_path(self) -> Path:
        return self.console_path or self.log_path

    @property
    def where(self) -> str:
        if self.console_path is None:
            return str(self.log_path)
        return f"{self.log_path} and {self.console_path}"

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def is_ready(self) -> bool:
        if self.ready is not None:
            return self.ready()
        if self.health_url and self.health_url.startswith("tcp://"):  # e.g. the MLLP listener
            host, _, port = self.health_url.removeprefix("tcp://").rpartition(":")
            return tcp_ready(host, int(port))()
        return http_ready(self.health_url)() if self.health_url else True

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.output_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def spawn(self, cwd: Path, env: Mapping[str, str]) -> None:
        if self.log_file is None or self.log_file.closed:
            self.log_file = open(self.output_path, "ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal goes to us; we stop children
            user=self.user,
            group=self.user,
            extra_groups=[] if self.user else None,
        )
        self.started_at = time.monotonic()

    def wait_ready(self, timeout: float, say: Callable[[str], None]) -> None:
        deadline = time.monotonic() + timeout
        assert self.popen is not None
        while time.monotonic() < deadline:
            code = self.popen.poll()
            if code is not None:
                raise StackError(
                    f"{self.name} exited with code {code} while starting; see {self.where}:\n"
                    f"{self.tail()}"
                )
            if self.is_ready():
                say(f"{self.name} is up")
                return
            time.sleep(0.3)
        raise StackError(
            f"{self.name} did not become healthy within {timeout:.0f}s "
            f"({self.health_url or 'readiness check'}); see {self.where}:\n{self.tail()}"
        )

    def signal(self, sig: signal.Signals) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, sig)  # the child leads its own session
        except ProcessLookupError:
            pass

    def reap(self, timeout: float) -> None:
        """Wait for the process to end; SIGKILL its group after ``timeout``."""
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=max(0.1, timeout))
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=5)
        # the group may hold grandchildren of a process that exited first
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def close_log(self) -> None:
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None


def ports_free(host: str, named: list[tuple[str, int]]) -> tuple[str, int] | None:
    """The first ``(name, port)`` some process is listening on, else ``None``.

    ``SO_REUSEADDR`` as every server here sets it: a port whose old connections linger in
    TIME_WAIT after a stop is free to listen on again, and is reported free.
    """
    for name, port in named:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                return name, port
    return None
