"""The scale profile's backing services, all under the var directory, none on the network.

- **PostgreSQL** (Debian's ``postgresql``): a cluster in ``var/pg/data``, reachable only
  through its Unix socket in ``var/pg/run`` (``listen_addresses=''``). Trust
  authentication on that socket is safe because nobody but the stack's user can enter
  ``var/``. As root, PostgreSQL runs as the ``postgres`` system user (it refuses root):
  ``var/`` is then group ``postgres``, mode 0710 (others still cannot enter).
- **redis-server**: Unix socket ``var/redis/redis.sock`` (mode 700), no TCP port.
- **HAProxy**: the one TCP entry for staff (``GATEWAY_PORT``) in front of N gateway
  processes, and ``ACTION_PORT`` in front of K action servers for Rasa. Backends are
  health-checked every second (``/livez``, ``/health``); a gateway that dies mid-request
  has that request replayed on another gateway (the request id header makes the replay
  safe, see ``assistant.channels.rest``); when no backend can answer, staff get ``503``
  with ``Retry-After``.
"""

from __future__ import annotations

import glob
import grp
import os
import pwd
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .procs import Proc, StackError, socket_ready

PG_USER = "postgres"
DATABASES = ("hms", "assistant")
RETRY_AFTER_SECONDS = 5


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _run_as_postgres() -> bool:
    return os.geteuid() == 0


@dataclass
class Postgres:
    var_dir: Path

    @property
    def data(self) -> Path:
        return self.var_dir / "pg" / "data"

    @property
    def run_dir(self) -> Path:
        return self.var_dir / "pg" / "run"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@/{database}?host={self.run_dir}"

    def prepare(self) -> None:
        """``initdb`` on first use; directories owned by the server's user."""
        initdb, server = _pg_bin("initdb"), _pg_bin("postgres")
        if initdb is None or server is None:
            raise StackError(
                "PostgreSQL is not installed: run `bash scripts/system-deps.sh` "
                "(Debian package postgresql)"
            )
        pg = self.var_dir / "pg"
        for path in (pg, self.data, self.run_dir):
            path.mkdir(mode=0o700, exist_ok=True)
        user = PG_USER if _run_as_postgres() else None
        if user is not None:
            entry = pwd.getpwnam(user)
            for path in (pg, self.data, self.run_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            # the server must pass through var/ to reach its data: group only, no listing
            os.chown(self.var_dir, -1, grp.getgrnam(user).gr_gid)
            os.chmod(self.var_dir, 0o710)  # noqa: S103 (group postgres, traverse only)
            reach = subprocess.run(
                ["test", "-x", str(self.data)], user=user, group=user, extra_groups=[], check=False
            )
            if reach.returncode != 0:
                raise StackError(
                    f"PostgreSQL runs as the system user {user} and cannot reach {self.data}: "
                    "a folder above the var directory is closed to other users; put VAR_DIR "
                    "under a folder others may pass through (mode o+x)"
                )
        if not (self.data / "PG_VERSION").exists():
            result = subprocess.run(
                [initdb, "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                user=user,
                group=user,
                extra_groups=[] if user else None,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
                check=False,
            )
            if result.returncode != 0:
                raise StackError(f"initdb failed:\n{result.stdout.decode(errors='replace')}")

    def proc(self, log_dir: Path) -> Proc:
        server = _pg_bin("postgres") or "postgres"
        options = {
            "listen_addresses": "",
            "unix_socket_directories": str(self.run_dir),
            "unix_socket_permissions": "0700",
            "max_connections": "200",
            "shared_buffers": "64MB",
        }
        argv = [server, "-D", str(self.data)]
        for key, value in options.items():
            argv += ["-c", f"{key}={value}"]
        user = PG_USER if _run_as_postgres() else None
        log = log_dir / "postgres.log"
        if user is not None:
            log.touch()
            os.chown(log, pwd.getpwnam(user).pw_uid, -1)
        return Proc(
            "postgres",
            argv,
            None,
            log,
            role="service",
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
            ready=self.ready,
            user=user,
            stop_signal=__import__("signal").SIGINT,  # "fast" shutdown
        )

    def ready(self) -> bool:
        try:
            import psycopg

            with psycopg.connect(host=str(self.run_dir), user=PG_USER, dbname="postgres"):
                return True
        except Exception:
            return False

    def create_databases(self, names: Sequence[str] = DATABASES) -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.run_dir), user=PG_USER, dbname="postgres", autocommit=True
        ) as conn:
            have = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
            for name in names:
                if name not in have:
                    conn.execute(f'CREATE DATABASE "{name}"')


@dataclass
class Redis:
    var_dir: Path

    @property
    def socket(self) -> Path:
        return self.var_dir / "redis" / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}?db=0"

    def proc(self, log_dir: Path) -> Proc:
        binary = shutil.which("redis-server")
        if binary is None:
            raise StackError(
                "redis-server is not installed: run `bash scripts/system-deps.sh` "
                "(Debian package redis-server)"
            )
        home = self.var_dir / "redis"
        home.mkdir(mode=0o700, exist_ok=True)
        config = home / "redis.conf"
        config.write_text(
            "# Generated by `python -m assistant stack --profile scale`.\n"
            "port 0\n"
            f"unixsocket {self.socket}\n"
            "unixsocketperm 700\n"
            f"dir {home}\n"
            'save ""\n'
            "appendonly no\n"
            "daemonize no\n"
        )
        return Proc(
            "redis",
            [binary, str(config)],
            None,
            log_dir / "redis.log",
            role="service",
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            ready=socket_ready(self.socket),
        )


@dataclass
class LoadBalancer:
    var_dir: Path
    host: str
    gateway_port: int
    gateways: Sequence[int]
    action_port: int
    actions: Sequence[int]

    def config(self) -> str:
        local = "127.0.0.1"
        retry = RETRY_AFTER_SECONDS
        lines = [
            "# Generated by `python -m assistant stack --profile scale`.",
            "global",
            "    maxconn 4096",
            "    log stdout format raw local0",
            "defaults",
            "    mode http",
            "    log global",
            "    timeout connect 2s",
            "    timeout client 65s",
            "    timeout server 65s",
            "    timeout http-keep-alive 10s",
            "    option http-keep-alive",
            "",
            "frontend staff",
            f"    bind {self.host}:{self.gateway_port}",
            "    monitor-uri /lb-health",
            # one line per request: no path, no body, no client address (no PHI)
            '    log-format "status=%ST retries=%rc term=%tsc server=%b/%s time=%Ta"',
            "    option http-buffer-request",
            # one id per request, the same on every retry: the gateway passes it to Rasa
            # as the message id, so a replayed request is answered, never run twice
            "    unique-id-format %{+X}o%ci%cp%fp%Ts%rt%pid",
            "    http-request del-header X-Request-Id",
            "    http-request set-header X-Request-Id %[unique-id]",
            "    default_backend gateways",
            "",
            "backend gateways",
            "    balance roundrobin",
            "    option httpchk GET /livez",
            "    http-check expect status 200",
            "    default-server inter 1s fall 2 rise 1",
            "    retry-on conn-failure empty-response response-timeout",
            "    retries 3",
            "    option redispatch 1",
            *self._error(503, "Service Unavailable", retry),
            *self._error(502, "Bad Gateway", retry),
            *self._error(504, "Gateway Timeout", retry),
        ]
        lines += [f"    server gw{n} {local}:{p} check" for n, p in enumerate(self.gateways, 1)]
        lines += [
            "",
            "frontend actions",
            f"    bind {local}:{self.action_port}",
            "    no log",
            "    default_backend actionservers",
            "",
            "backend actionservers",
            "    balance roundrobin",
            "    option httpchk GET /health",
            "    http-check expect status 200",
            "    default-server inter 1s fall 2 rise 1",
            # never replay an action call that may have run: connection failures only
            "    retry-on conn-failure",
            "    retries 3",
            "    option redispatch 1",
        ]
        lines += [f"    server act{n} {local}:{p} check" for n, p in enumerate(self.actions, 1)]
        return "\n".join(lines) + "\n"

    @staticmethod
    def _error(status: int, reason: str, retry: int) -> list[str]:
        body = (
            '{"detail": "the assistant is restarting or busy; try again in '
            f'{retry} s", "retry_after": "{retry}"}}'
        )
        return [
            f"    http-error status {status} content-type application/json "
            f"hdr Retry-After {retry} string '{body}'"
        ]

    def proc(self, log_dir: Path) -> Proc:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(binary).exists():
            raise StackError(
                "HAProxy is not installed: run `bash scripts/system-deps.sh` "
                "(Debian package haproxy)"
            )
        home = self.var_dir / "haproxy"
        home.mkdir(mode=0o700, exist_ok=True)
        config = home / "haproxy.cfg"
        config.write_text(self.config())
        return Proc(
            "haproxy",
            [binary, "-db", "-f", str(config)],
            f"http://127.0.0.1:{self.gateway_port}/lb-health",
            log_dir / "haproxy.log",
            role="service",
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
