"""``Stack``: start HMS, action server, Rasa worker(s) and gateway; wait; stop them cleanly.

Used by ``python -m assistant stack`` (the demo) and by the tests' ``stack`` fixture (a
temporary var directory and free ports). Each process logs to ``<var>/log/<name>.log``.
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

from assistant.config import ROOT

from .files import ensure_demo_env, free_port, newest_model, write_credentials, write_endpoints

# inherited settings that would point a fresh stack at another one's services or data
_DROP = (
    "VAR_DIR",
    "HMS_BASE_URL",
    "RASA_URLS",
    "ACTION_URL",
    "HMS_DATABASE_URL",
    "ASSISTANT_DATABASE_URL",
    "HMS_API_TOKEN",
    "ASSISTANT_SIGNING_KEY",
    "ASSISTANT_DATA_KEY",
    "PRACTICE_HMS_BASE_URL",
    "ASSISTANT_AUDIT_KEY",
    "ASSISTANT_PRINCIPAL_KEY",
    "TRACKER_DATABASE_URL",
)
PRACTICE_SEED = 7  # the training hospital's made-up patients (assistant/practice)


_PORT_ENV = {
    "hms": "HMS_PORT",
    "hms-practice": "PRACTICE_HMS_PORT",
    "actions": "ACTION_PORT",
    "gateway": "GATEWAY_PORT",
    "rasa": "RASA_PORT",
    "adt": "ADT_PORT",
}


class StackError(Exception):
    """A process did not start or did not become healthy."""


@dataclass
class Proc:
    name: str
    argv: list[str]
    health_url: str
    log_path: Path  # the process's own log (configure_logging writes it)
    console_path: Path | None = None  # stdout/stderr, when not the same file
    popen: subprocess.Popen[bytes] | None = None
    env: dict[str, str] | None = None  # overrides of the stack's environment for this one
    log_file: IO[bytes] | None = None

    @property
    def output_path(self) -> Path:
        return self.console_path or self.log_path

    @property
    def where(self) -> str:
        if self.console_path is None:
            return str(self.log_path)
        return f"{self.log_path} and {self.console_path}"

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.output_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    root: Path = ROOT
    var_dir: Path | None = None
    hms_port: int | None = None  # None: the configured/default port; 0: a free port
    action_port: int | None = None
    rasa_port: int | None = None
    gateway_port: int | None = None
    practice_hms_port: int | None = None  # the practice-mode training hospital
    rasa_workers: int = 1
    extra_env: Mapping[str, str] = field(default_factory=dict)
    model: Path | None = None
    timeout: float = 300.0
    kiosk_setup: bool = True  # build the kiosk's speech model (and demo badges) before the gateway
    demo_badges: bool = False
    say: Callable[[str], None] = print
    procs: list[Proc] = field(default_factory=list, init=False)
    env: dict[str, str] = field(default_factory=dict, init=False)
    secrets: dict[str, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.var_dir = Path(self.var_dir or self.root / "var").resolve()
        self.host = "127.0.0.1"
        self.ports = {
            "hms": self._port(self.hms_port, "HMS_PORT", 8081),
            "actions": self._port(self.action_port, "ACTION_PORT", 5055),
            "gateway": self._port(self.gateway_port, "GATEWAY_PORT", 8080),
            # HL7 v2 ADT listener (MLLP); a free port whenever the HMS gets one
            "adt": self._port(0 if self.hms_port == 0 else None, "ADT_PORT", 2575),
            "hms-practice": self._port(
                # free ports for the tests' stacks: the practice HMS follows the HMS
                0
                if self.practice_hms_port is None and self.hms_port == 0
                else self.practice_hms_port,
                "PRACTICE_HMS_PORT",
                8082,
            ),
        }
        first_rasa = self._port(self.rasa_port, "RASA_PORT", 5005)
        self.rasa_ports = [first_rasa] + [
            free_port() if self.rasa_port == 0 else first_rasa + i
            for i in range(1, self.rasa_workers)
        ]

    def _port(self, given: int | None, env_name: str, default: int) -> int:
        if given == 0:
            return free_port()
        if given is not None:
            return given
        return int(self.extra_env.get(env_name) or os.environ.get(env_name) or default)

    # -- where things are ------------------------------------------------------------

    @property
    def log_dir(self) -> Path:
        assert self.var_dir is not None
        return self.var_dir / "log"

    @property
    def urls(self) -> dict[str, str]:
        gateway = f"http://{self.host}:{self.ports['gateway']}"
        hms = f"http://{self.host}:{self.ports['hms']}"
        return {
            "gateway": gateway,
            "kiosk": f"{gateway}/kiosk/",
            "rest": f"{gateway}/api/v1/messages",
            "hms": hms,
            "adt": f"mllp://{self.host}:{self.ports['adt']}",
            "practice_fhir": f"http://{self.host}:{self.ports['hms-practice']}/fhir/R4",
            "fhir": self.extra_env.get("HMS_BASE_URL", f"{hms}/fhir/R4"),
            "rasa": ",".join(f"http://{self.host}:{p}" for p in self.rasa_ports),
            "actions": self.extra_env.get(
                "ACTION_URL", f"http://{self.host}:{self.ports['actions']}/webhook"
            ),
        }

    # -- lifecycle -------------------------------------------------------------------

    def prepare(self) -> None:
        """Secrets, log dir, Rasa endpoint/credential files and the child environment."""
        assert self.var_dir is not None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.secrets = ensure_demo_env(self.var_dir)
        env = {k: v for k, v in os.environ.items() if k not in _DROP}
        env.update(self.secrets)
        env.update(
            VAR_DIR=str(self.var_dir),
            BIND_HOST=self.host,
            HMS_PORT=str(self.ports["hms"]),
            ACTION_PORT=str(self.ports["actions"]),
            GATEWAY_PORT=str(self.ports["gateway"]),
            ADT_PORT=str(self.ports["adt"]),
            RASA_PORT=str(self.rasa_ports[0]),
            RASA_URLS=self.urls["rasa"],
            PRACTICE_HMS_BASE_URL=self.urls["practice_fhir"],
            RASA_TELEMETRY_ENABLED="false",
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        env.update(self.extra_env)
        self.env = env

    def _commands(self) -> list[Proc]:
        assert self.var_dir is not None
        py = str(self.root / ".venv" / "bin" / "python")
        # rasa_ext.launch = the rasa CLI with telemetry off and the action response
        # validator compiled once (see rasa_ext/launch.py)
        rasa = [str(self.root / ".venv-rasa" / "bin" / "python"), "-m", "rasa_ext.launch"]
        model = self.model or newest_model(self.root / "models")
        if model is None:
            raise StackError("no trained Rasa model in models/: run `make model` first")
        endpoints = write_endpoints(self.var_dir, self.urls["actions"])
        credentials = write_credentials(self.var_dir)
        procs = [
            self._app_proc(
                "hms", [py, "-m", "hms", "serve", "--seed-if-empty"], f"{self.urls['hms']}/healthz"
            ),
            # the ADT feed (issue 12): waits for the HMS's migrated database, health = TCP
            self._app_proc(
                "adt",
                [py, "-m", "hms", "adt-listen"],
                f"tcp://{self.host}:{self.ports['adt']}",
            ),
            self._practice_hms(py),
            self._app_proc(
                "actions",
                [py, "-m", "actions.server"],
                f"http://{self.host}:{self.ports['actions']}/health",
            ),
        ]
        for index, port in enumerate(self.rasa_ports):
            name = "rasa" if len(self.rasa_ports) == 1 else f"rasa-{index + 1}"
            procs.append(
                Proc(
                    name,
                    [
                        *rasa,
                        "run",
                        "--enable-api",
                        "--auth-token",
                        self.secrets["RASA_AUTH_TOKEN"],
                        "-i",
                        self.host,
                        "-p",
                        str(port),
                        "--model",
                        str(model),
                        "--endpoints",
                        str(endpoints),
                        "--credentials",
                        str(credentials),
                    ],
                    f"http://{self.host}:{port}/version",
                    self.log_dir / f"{name}.log",
                )
            )
        procs.append(
            self._app_proc(
                "gateway", [py, "-m", "assistant.gateway"], f"{self.urls['gateway']}/healthz"
            )
        )
        return procs

    def _practice_hms(self, py: str) -> Proc:
        """A second reference HMS with other made-up patients, for practice mode."""
        assert self.var_dir is not None
        port = self.ports["hms-practice"]
        proc = self._app_proc(
            "hms-practice",
            [py, "-m", "hms", "serve", "--seed-if-empty", "--seed", str(PRACTICE_SEED)],
            f"http://{self.host}:{port}/healthz",
        )
        proc.env = {
            "HMS_PORT": str(port),
            "HMS_DATABASE_URL": f"sqlite:///{self.var_dir / 'hms-practice.db'}",
        }
        return proc

    def _app_proc(self, name: str, argv: list[str], health_url: str) -> Proc:
        """Our processes write ``<name>.log`` themselves; their console goes beside it."""
        return Proc(
            name,
            argv,
            health_url,
            self.log_dir / f"{name}.log",
            self.log_dir / f"{name}.console.log",
        )

    def start(self) -> Stack:
        """Start every process and wait for each health check; stop all on failure."""
        self.prepare()
        planned = self._commands()
        self._check_ports_free()
        try:
            backends, gateway = planned[:-1], planned[-1]
            for proc in backends:  # start together: Rasa loads its model meanwhile
                self._spawn(proc)
            for proc in backends:
                self._wait_healthy(proc)
            if self.kiosk_setup:
                self._prepare_kiosk()
            self._spawn(gateway)
            self._wait_healthy(gateway)
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare_kiosk(self) -> None:
        """Generate the kiosk's domain language model from the NLU data and the running HMS.

        Rebuilt on every start (a few seconds) so a new ward is recognised after a restart.
        A failure leaves the kiosk without speech recognition (typed input still works).
        """
        py = str(self.root / ".venv" / "bin" / "python")
        steps = [["kiosk", "build-speech"]]
        if self.demo_badges:
            steps.append(["kiosk", "demo-badges"])
        for step in steps:
            assert self.var_dir is not None
            log = self.log_dir / f"kiosk-{step[1]}.log"
            with open(log, "wb") as out:
                code = subprocess.run(
                    [py, "-m", "assistant", *step],
                    cwd=self.root,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    check=False,
                ).returncode
            if code != 0:
                self.say(f"warning: `python -m assistant {' '.join(step)}` failed; see {log}")

    def _check_ports_free(self) -> None:
        """Refuse to start when a port is taken (another stack would answer our checks)."""
        named = [*self.ports.items(), *((f"rasa {p}", p) for p in self.rasa_ports)]
        for name, port in named:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind((self.host, port))
                except OSError as exc:
                    raise StackError(
                        f"port {port} for {name} is in use (is another stack running?); "
                        f"set {_PORT_ENV[name.split()[0]]} to another port"
                    ) from exc

    def _spawn(self, proc: Proc) -> None:
        self.say(f"starting {proc.name} (log: {proc.log_path})")
        proc.log_file = open(proc.output_path, "ab")
        proc.popen = subprocess.Popen(
            proc.argv,
            cwd=self.root,
            env={**self.env, **(proc.env or {})},
            stdin=subprocess.DEVNULL,
            stdout=proc.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal goes to us; we stop children
        )
        self.procs.append(proc)

    def _wait_healthy(self, proc: Proc) -> None:
        deadline = time.monotonic() + self.timeout
        assert proc.popen is not None
        while time.monotonic() < deadline:
            code = proc.popen.poll()
            if code is not None:
                raise StackError(
                    f"{proc.name} exited with code {code} while starting; see {proc.where}:\n"
                    f"{proc.tail()}"
                )
            if _healthy(proc.health_url):
                self.say(f"{proc.name} is up")
                return
            time.sleep(0.5)
        raise StackError(
            f"{proc.name} did not become healthy within {self.timeout:.0f}s "
            f"({proc.health_url}); see {proc.where}:\n{proc.tail()}"
        )

    def failed(self) -> Proc | None:
        """The first process that has exited, if any."""
        return next((p for p in self.procs if p.popen and p.popen.poll() is not None), None)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM each process group (gateway first), then SIGKILL what is left."""
        for proc in reversed(self.procs):
            if proc.popen and proc.popen.poll() is None:
                _signal_group(proc.popen, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in reversed(self.procs):
            if proc.popen is None:
                continue
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc.popen, signal.SIGKILL)
                proc.popen.wait(timeout=5)
            if proc.log_file:
                proc.log_file.close()
        self.procs.clear()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _healthy(url: str) -> bool:
    """HTTP 200 from ``http(s)://`` URLs; an accepted connection for ``tcp://host:port``."""
    if url.startswith("tcp://"):
        host, _, port = url.removeprefix("tcp://").rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=2.0):
                return True
        except OSError:
            return False
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _signal_group(popen: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(popen.pid, sig)  # the child leads its own session (start_new_session)
    except ProcessLookupError:
        pass
