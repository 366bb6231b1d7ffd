"""``Stack``: start the processes of a profile, wait until each is healthy, stop them cleanly.

Profiles:

- ``default`` (``make demo``): reference HMS, one action server, ``rasa_workers`` Rasa
  processes and one gateway; SQLite files under ``var/``; locks and sessions in memory.
- ``scale``: PostgreSQL and redis-server under ``var/`` (unless ``*_DATABASE_URL`` /
  ``REDIS_URL`` point elsewhere), the reference HMS on PostgreSQL, ``action_servers``
  action servers and ``gateways`` gateway processes behind HAProxy, ``rasa_workers`` Rasa
  processes (conversations routed by sender hash, tracker store in PostgreSQL, locks in
  Redis). A process that dies is started again (``watch``).

Used by ``python -m assistant stack`` and by the tests' ``stack`` fixture (a temporary
var directory and free ports). Each process logs to ``<var>/log/<name>.log``. Settings
come from the environment (``environ``; every documented variable is passed on) and
``var/demo.env``; each process gets only the secrets it needs
(``assistant.stack.environment``), none on its command line.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import ROOT, client_host, load_env_file, tracker_database_url

from .environment import EXTERNAL_SETTINGS, process_env
from .files import (
    ensure_demo_env,
    free_port,
    newest_model,
    private_var_dir,
    write_credentials,
    write_endpoints,
)
from .procs import Proc, StackError, ports_free
from .services import LoadBalancer, Postgres, Redis

PROFILES = ("default", "scale")
# a process that dies this many times within the window is crash-looping: the stack stops
# and names its log (a count over the stack's whole life would stop a long-running
# install after its 30th restart in weeks)
MAX_RESTARTS = 5
RESTART_WINDOW = 60.0  # seconds
PRACTICE_SEED = 7  # the training hospital's made-up patients (assistant/practice)
_PORT_ENV = {
    "hms": "HMS_PORT",
    "hms-practice": "PRACTICE_HMS_PORT",
    "actions": "ACTION_PORT",
    "gateway": "GATEWAY_PORT",
    "adt": "ADT_PORT",
}

__all__ = ["PROFILES", "Proc", "Stack", "StackError"]


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
    profile: str = "default"
    gateways: int = 2  # scale profile: gateway processes behind HAProxy
    action_servers: int = 2  # scale profile: action servers behind HAProxy
    extra_env: Mapping[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] | None = None  # where settings come from (os.environ)
    inherit: bool = True  # False: ignore service URLs/secrets of the caller's environment
    model: Path | None = None
    timeout: float = 300.0
    kiosk_setup: bool = True  # build the kiosk's speech model before the gateway starts
    say: Callable[[str], None] = print
    procs: list[Proc] = field(default_factory=list, init=False)
    env: dict[str, str] = field(default_factory=dict, init=False)
    secrets: dict[str, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise StackError(f"unknown profile {self.profile!r}; use one of {', '.join(PROFILES)}")
        self.root = Path(self.root)
        source = dict(os.environ if self.environ is None else self.environ)
        if not self.inherit:
            source = {k: v for k, v in source.items() if k not in EXTERNAL_SETTINGS}
        self.config = {**source, **self.extra_env}
        self.var_dir = Path(self.var_dir or self.config.get("VAR_DIR") or self.root / "var")
        self.var_dir = self.var_dir.resolve()
        self.bind_host = self.config.get("BIND_HOST") or "127.0.0.1"
        self.host = client_host(self.bind_host)
        scale = self.profile == "scale"
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
        self.gateway_ports = [free_port() for _ in range(self.gateways)] if scale else []
        self.action_ports = [free_port() for _ in range(self.action_servers)] if scale else []
        self.external = {
            name
            for name, variable in (
                ("hms", "HMS_BASE_URL"),
                ("rasa", "RASA_URLS"),
                ("actions", "ACTION_URL"),
            )
            if self.config.get(variable)
        }
        if "hms" in self.external or self.config.get("PRACTICE_HMS_BASE_URL"):
            self.external.add("hms-practice")
        self._stopping = False
        self._lock = threading.Lock()

    def _port(self, given: int | None, env_name: str, default: int) -> int:
        if given == 0:
            return free_port()
        if given is not None:
            return given
        return int(self.config.get(env_name) or default)

    # -- where things are ------------------------------------------------------------

    @property
    def log_dir(self) -> Path:
        assert self.var_dir is not None
        return self.var_dir / "log"

    @property
    def urls(self) -> dict[str, str]:
        gateway = f"http://{self.host}:{self.ports['gateway']}"
        hms = f"http://{self.host}:{self.ports['hms']}"
        rasa = ",".join(f"http://{self.host}:{p}" for p in self.rasa_ports)
        actions = f"http://{self.host}:{self.ports['actions']}/webhook"
        return {
            "gateway": gateway,
            "kiosk": f"{gateway}/kiosk/",
            "rest": f"{gateway}/api/v1/messages",
            "hms": hms,
            "fhir": self.config.get("HMS_BASE_URL") or f"{hms}/fhir/R4",
            "adt": f"mllp://{self.host}:{self.ports['adt']}",
            "practice_fhir": self.config.get("PRACTICE_HMS_BASE_URL")
            or f"http://{self.host}:{self.ports['hms-practice']}/fhir/R4",
            "rasa": self.config.get("RASA_URLS") or rasa,
            "actions": self.config.get("ACTION_URL") or actions,
        }

    # -- configuration ---------------------------------------------------------------

    def prepare(self) -> None:
        """Private var dir, secrets, Rasa endpoint/credential files and the environment."""
        assert self.var_dir is not None
        private_var_dir(self.var_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.secrets = ensure_demo_env(self.var_dir)
        self.file_secrets = set(load_env_file(self.var_dir / "demo.env"))
        env = dict(self.config)
        for name, value in self.secrets.items():
            env.setdefault(name, value)  # the operator's own values win
        if self.profile == "scale":
            self.postgres = Postgres(self.var_dir)
            self.redis = Redis(self.var_dir)
            self.local_databases = [
                name
                for name, variable in (
                    ("hms", "HMS_DATABASE_URL"),
                    ("assistant", "ASSISTANT_DATABASE_URL"),
                )
                if not self.config.get(variable)
            ]
            env.setdefault("HMS_DATABASE_URL", self.postgres.url("hms"))
            env.setdefault("ASSISTANT_DATABASE_URL", self.postgres.url("assistant"))
            env.setdefault("REDIS_URL", self.redis.url)
        default_db = f"sqlite:///{self.var_dir / 'assistant.db'}"
        assistant_db = env.get("ASSISTANT_DATABASE_URL") or default_db
        env.setdefault("TRACKER_DATABASE_URL", tracker_database_url(assistant_db, self.var_dir))
        urls = self.urls
        # the training hospital: ours, the operator's, or none beside an external HMS
        started = "hms-practice" not in self.external
        practice = urls["practice_fhir"] if started or "PRACTICE_HMS_BASE_URL" in env else ""
        env.update(
            VAR_DIR=str(self.var_dir),
            DEMO_ENV_FILE="none",  # children get their secrets from us, not the file
            BIND_HOST=self.bind_host,
            HMS_PORT=str(self.ports["hms"]),
            ACTION_PORT=str(self.ports["actions"]),
            GATEWAY_PORT=str(self.ports["gateway"]),
            ADT_PORT=str(self.ports["adt"]),
            RASA_PORT=str(self.rasa_ports[0]),
            HMS_BASE_URL=urls["fhir"],
            PRACTICE_HMS_BASE_URL=practice,
            RASA_URLS=urls["rasa"],
            ACTION_URL=urls["actions"],
            RASA_TELEMETRY_ENABLED="false",
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        self.env = env

    def env_for(self, proc: Proc) -> dict[str, str]:
        env = process_env(self.env, proc.role, self.file_secrets)
        env.update(proc.env or {})
        return env

    # -- the processes ---------------------------------------------------------------

    def _commands(self) -> list[Proc]:
        assert self.var_dir is not None
        py = str(self.root / ".venv" / "bin" / "python")
        # rasa_ext.launch = the rasa CLI with telemetry off, the fast path installed and the
        # API token taken from the environment (see rasa_ext/launch.py)
        rasa = [str(self.root / ".venv-rasa" / "bin" / "python"), "-m", "rasa_ext.launch"]
        scale = self.profile == "scale"
        procs: list[Proc] = []
        if scale:
            if self.local_databases:
                procs.append(self.postgres.proc(self.log_dir))
            if "REDIS_URL" not in self.config:
                procs.append(self.redis.proc(self.log_dir))
        if "hms" not in self.external:
            procs.append(
                self._app(
                    "hms",
                    [py, "-m", "hms", "serve", "--seed-if-empty"],
                    f"{self.urls['hms']}/healthz",
                    role="hms",
                )
            )
            # the ADT feed (issue 12): waits for the HMS's migrated database, health = TCP
            procs.append(
                self._app(
                    "adt",
                    [py, "-m", "hms", "adt-listen"],
                    f"tcp://{self.host}:{self.ports['adt']}",
                    role="hms",
                )
            )
        if "hms-practice" not in self.external:
            procs.append(self._practice_hms(py))
        if "actions" not in self.external:
            ports = self.action_ports if scale else [self.ports["actions"]]
            for index, port in enumerate(ports):
                name = "actions" if not scale else f"actions-{index + 1}"
                procs.append(
                    self._app(
                        name,
                        [py, "-m", "actions.server"],
                        f"http://{self.host}:{port}/health",
                        role="actions",
                        env={"ACTION_PORT": str(port)},
                    )
                )
        if "rasa" not in self.external:
            model = self.model or newest_model(self.root / "models")
            if model is None:
                raise StackError("no trained Rasa model in models/: run `make model` first")
            endpoints = write_endpoints(self.var_dir, self.urls["actions"], redis_locks=scale)
            credentials = write_credentials(self.var_dir)
            for index, port in enumerate(self.rasa_ports):
                name = "rasa" if len(self.rasa_ports) == 1 else f"rasa-{index + 1}"
                argv = [*rasa, "run", "--enable-api", "-i", self.bind_host, "-p", str(port)]
                argv += ["--model", str(model), "--endpoints", str(endpoints)]
                argv += ["--credentials", str(credentials)]
                procs.append(
                    Proc(
                        name,
                        argv,
                        f"http://{self.host}:{port}/version",
                        self.log_dir / f"{name}.log",
                        role="rasa",
                    )
                )
        if scale:
            balancer = LoadBalancer(
                self.var_dir,
                self.bind_host,
                self.ports["gateway"],
                self.gateway_ports,
                self.ports["actions"],
                self.action_ports,
            )
            procs.append(balancer.proc(self.log_dir))
        gateways = self.gateway_ports if scale else [self.ports["gateway"]]
        for index, port in enumerate(gateways):
            name = "gateway" if not scale else f"gateway-{index + 1}"
            procs.append(
                self._app(
                    name,
                    [py, "-m", "assistant.gateway"],
                    f"http://{self.host}:{port}/healthz",
                    role="gateway",
                    env={"GATEWAY_PORT": str(port), "GATEWAY_NAME": name},
                )
            )
        return procs

    def _practice_hms(self, py: str) -> Proc:
        """A second reference HMS with other made-up patients, for practice mode."""
        assert self.var_dir is not None
        port = self.ports["hms-practice"]
        return self._app(
            "hms-practice",
            [py, "-m", "hms", "serve", "--seed-if-empty", "--seed", str(PRACTICE_SEED)],
            f"http://{self.host}:{port}/healthz",
            role="hms",
            env={
                "HMS_PORT": str(port),
                "HMS_DATABASE_URL": f"sqlite:///{self.var_dir / 'hms-practice.db'}",
            },
        )

    def _app(
        self,
        name: str,
        argv: list[str],
        health_url: str,
        *,
        role: str,
        env: Mapping[str, str] | None = None,
    ) -> Proc:
        """Our processes write ``<name>.log`` themselves; their console goes beside it."""
        return Proc(
            name,
            argv,
            health_url,
            self.log_dir / f"{name}.log",
            self.log_dir / f"{name}.console.log",
            env=env,
            role=role,
        )

    @staticmethod
    def phase(proc: Proc) -> int:
        """Start order: 0 data services, 1 back ends (and HAProxy), 2 gateways."""
        if proc.role == "service" and proc.name != "haproxy":
            return 0
        return 2 if proc.name.startswith("gateway") else 1

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> Stack:
        """Start every process and wait for each health check; stop all on failure."""
        self.prepare()
        planned = self._commands()
        self._check_ports_free([p.name for p in planned])
        if any(p.name == "postgres" for p in planned):
            self.postgres.prepare()  # initdb on first use
        try:
            for phase in (0, 1, 2):
                group = [p for p in planned if self.phase(p) == phase]
                for proc in group:  # start together: Rasa loads its model meanwhile
                    self._spawn(proc)
                for proc in group:
                    proc.wait_ready(self.timeout, self.say)
                if phase == 0 and any(p.name == "postgres" for p in group):
                    self.postgres.create_databases(self.local_databases)
                if phase == 1 and self.kiosk_setup:
                    self._prepare_kiosk()
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare_kiosk(self) -> None:
        """Generate the kiosk's domain language model from the NLU data and the running HMS.

        Rebuilt on every start (a few seconds) so a new ward is recognised after a restart.
        A failure leaves the kiosk without speech recognition (typed input still works).
        Demo badges are not enrolled here: ``python -m assistant kiosk demo-badges`` does
        that once, printing the random PINs it chose.
        """
        py = str(self.root / ".venv" / "bin" / "python")
        log = self.log_dir / "kiosk-build-speech.log"
        env = process_env(self.env, "setup", self.file_secrets)
        with open(log, "wb") as out:
            code = subprocess.run(
                [py, "-m", "assistant", "kiosk", "build-speech"],
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            ).returncode
        if code != 0:
            self.say(f"warning: `python -m assistant kiosk build-speech` failed; see {log}")

    def _check_ports_free(self, planned: list[str]) -> None:
        """Refuse to start when a port is taken (another stack would answer our checks).

        Only the ports of what is about to start: the named process, or HAProxy for the
        gateway and action ports of the scale profile."""
        front = {"gateway", "actions"} if "haproxy" in planned else set()

        named = [
            (name, port)
            for name, port in self.ports.items()
            if name in front
            or name in planned
            or any(re.fullmatch(rf"{name}-\d+", p) for p in planned)
        ]
        if any(p.startswith("rasa") for p in planned):
            named += [(f"rasa {p}", p) for p in self.rasa_ports]
        taken = ports_free(self.bind_host, named)
        if taken is not None:
            name, port = taken
            variable = _PORT_ENV.get(name.split()[0], "RASA_PORT")
            raise StackError(
                f"port {port} for {name} is in use (is another stack running?); "
                f"set {variable} to another port"
            )

    def _spawn(self, proc: Proc) -> None:
        self.say(f"starting {proc.name} (log: {proc.log_path})")
        proc.spawn(self.root, self.env_for(proc))
        if proc not in self.procs:
            self.procs.append(proc)

    def failed(self) -> Proc | None:
        """The first process that has exited, if any."""
        return next((p for p in self.procs if p.popen and p.popen.poll() is not None), None)

    def watch(self) -> list[str]:
        """Start again every restartable process that has died; the names restarted.

        Raises ``StackError`` when a process that may not be restarted has died, or one
        keeps dying.
        """
        restarted: list[str] = []
        with self._lock:
            if self._stopping:
                return restarted
            for proc in self.procs:
                if proc.alive() or proc.popen is None:
                    continue
                code = proc.popen.poll()
                if not proc.restartable:
                    raise StackError(
                        f"{proc.name} stopped unexpectedly (code {code}); "
                        f"see {proc.where}:\n{proc.tail()}"
                    )
                now = time.monotonic()
                proc.restart_times = [t for t in proc.restart_times if now - t < RESTART_WINDOW]
                if len(proc.restart_times) >= MAX_RESTARTS:
                    raise StackError(
                        f"{proc.name} keeps stopping ({MAX_RESTARTS} times within "
                        f"{RESTART_WINDOW:g} s); see {proc.where}"
                    )
                proc.restart_times.append(now)
                proc.restarts += 1
                self.say(f"{proc.name} stopped (code {code}); starting it again")
                self._spawn(proc)
                restarted.append(proc.name)
        return restarted

    def stop(self, grace: float = 15.0) -> None:
        """Stop gateways first, then back ends, then data services; SIGKILL what is left."""
        with self._lock:
            self._stopping = True
            for phase in (2, 1, 0):
                group = [p for p in self.procs if self.phase(p) == phase]
                for proc in reversed(group):
                    proc.signal(proc.stop_signal)
                deadline = time.monotonic() + grace
                for proc in group:
                    proc.reap(deadline - time.monotonic())
            for proc in self.procs:
                proc.close_log()
            self.procs.clear()
            self._stopping = False

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
