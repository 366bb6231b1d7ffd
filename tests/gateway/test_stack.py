import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from assistant.config import load_env_file
from assistant.stack import Stack, StackError, table
from assistant.stack.environment import GENERATED_SECRETS, NEEDS, process_env
from assistant.stack.files import ensure_demo_env, write_credentials, write_endpoints
from assistant.stack.services import LoadBalancer
from tests.gateway.stack_fakes import FakeStack
from tests.require import missing

HERE = Path(__file__).resolve().parent


def fake(tmp_path, **kwargs):
    kwargs.setdefault("say", lambda _: None)
    return FakeStack(
        var_dir=tmp_path,
        hms_port=kwargs.pop("hms_port", 0),
        rasa_port=0,
        action_port=0,
        gateway_port=kwargs.pop("gateway_port", 0),
        timeout=30,
        inherit=False,
        **kwargs,
    )


def test_stack_demo_env_generated_private_and_reused(tmp_path):
    first = ensure_demo_env(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / "demo.env").st_mode)
    assert mode == 0o600
    assert set(first) >= set(GENERATED_SECRETS)
    assert ensure_demo_env(tmp_path) == first
    from cryptography.fernet import Fernet

    Fernet(first["ASSISTANT_DATA_KEY"].encode())  # a valid Fernet key


def test_stack_demo_env_keeps_existing_and_adds_missing(tmp_path):
    (tmp_path / "demo.env").write_text("HMS_API_TOKEN=mine\n")
    values = ensure_demo_env(tmp_path)
    assert values["HMS_API_TOKEN"] == "mine"
    assert load_env_file(tmp_path / "demo.env")["ASSISTANT_SIGNING_KEY"]


def test_stack_endpoints_and_credentials_for_rasa(tmp_path):
    endpoints = yaml.safe_load(
        write_endpoints(tmp_path, "http://127.0.0.1:5999/webhook").read_text()
    )
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5999/webhook"
    assert endpoints["action_endpoint"]["full_history_actions"] == ["action_talk_to_human"]
    assert endpoints["tracker_store"] == {
        "type": "rasa_ext.tracker_store.EncryptedSQLTrackerStore",
        "url_env": "TRACKER_DATABASE_URL",
    }
    assert endpoints["lock_store"]["type"] == "rasa_ext.lock_store.LocalLockStore"
    scale_file = write_endpoints(tmp_path, "http://x/webhook", redis_locks=True)
    scale = yaml.safe_load(scale_file.read_text())
    assert scale["lock_store"] == {
        "type": "rasa_ext.lock_store.AtomicRedisLockStore",
        "url_env": "REDIS_URL",
    }
    credentials = yaml.safe_load(write_credentials(tmp_path).read_text())
    assert list(credentials) == ["rasa_ext.channel.GatewayInput"]  # no plain "rest" webhook
    assert credentials["rasa_ext.channel.GatewayInput"] == {"token_env": "RASA_WEBHOOK_TOKEN"}


@pytest.mark.servers
def test_stack_starts_waits_and_stops_processes(tmp_path):
    stack = fake(tmp_path)
    stack.start()
    pids = [p.popen.pid for p in stack.procs if p.popen is not None]
    try:
        assert len(pids) == 3 and stack.failed() is None
        assert stack.env["GATEWAY_PORT"] == str(stack.ports["gateway"])
        assert stack.env["RASA_URLS"] == stack.urls["rasa"]
        assert stack.env["RASA_TELEMETRY_ENABLED"] == "false"
        assert "kiosk" in table(stack)
        assert (tmp_path / "log" / "hms.log").read_text().startswith("listening")
    finally:
        popens = [p.popen for p in stack.procs if p.popen is not None]
        stack.stop()
    assert all(p.poll() is not None for p in popens)
    assert stack.procs == []


@pytest.mark.servers
def test_stack_failed_process_named_with_its_log(tmp_path):
    stack = fake(tmp_path, crash="rasa")
    with pytest.raises(StackError) as caught:
        stack.start()
    message = str(caught.value)
    assert "rasa exited with code 3" in message
    assert str(tmp_path / "log" / "rasa.log") in message and "boom" in message
    assert stack.procs == []  # the others were stopped


def test_stack_without_model_says_how_to_train(tmp_path):
    stack = Stack(root=tmp_path, var_dir=tmp_path / "var", say=lambda _: None, inherit=False)
    with pytest.raises(StackError, match="make model"):
        stack.start()


def test_stack_port_in_use_refused_before_starting(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        stack = fake(tmp_path, hms_port=port)
        with pytest.raises(StackError, match=f"port {port} for hms is in use"):
            stack.start()
    assert stack.procs == []


@pytest.mark.servers
def test_stack_restart_right_after_stop_is_not_refused(tmp_path):
    """Connections the servers closed sit in TIME_WAIT on their ports after a stop; the port
    check (SO_REUSEADDR, like the servers) must not call those ports busy."""
    first = fake(tmp_path / "a")
    first.start()
    ports = dict(first.ports)
    try:
        for _ in range(5):  # HTTP/1.0 servers close first: TIME_WAIT on the server port
            assert httpx.get(f"http://127.0.0.1:{ports['hms']}/").status_code == 200
            assert httpx.get(f"http://127.0.0.1:{ports['gateway']}/").status_code == 200
    finally:
        first.stop()
    again = fake(tmp_path / "b", hms_port=ports["hms"], gateway_port=ports["gateway"])
    again.start()
    try:
        assert again.ports["hms"] == ports["hms"] and again.failed() is None
    finally:
        again.stop()


@pytest.mark.servers
def test_stack_default_profile_starts_a_killed_process_again(tmp_path):
    """The one-machine install restarts a process that dies, as the scale profile does (a
    stopped action server took the whole demo down with it)."""
    stack = fake(tmp_path)
    stack.start()
    try:
        rasa = next(p for p in stack.procs if p.name == "rasa")
        assert rasa.popen is not None
        old = rasa.popen
        old.send_signal(signal.SIGKILL)
        old.wait(timeout=10)
        assert stack.watch() == ["rasa"]
        assert rasa.popen is not old and rasa.restarts == 1
        url = f"http://127.0.0.1:{stack.rasa_ports[0]}/"
        deadline = time.monotonic() + 20
        while True:
            try:
                assert httpx.get(url).status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the restarted process never answered"
                time.sleep(0.2)
        assert stack.watch() == [] and stack.failed() is None
    finally:
        stack.stop()


@pytest.mark.servers
def test_stack_restart_budget_is_per_minute_not_for_life(tmp_path):
    """A long-running install restarts a process that dies now and then for ever; one that
    dies five times within a minute is crash-looping and stops the stack with its log (the
    demo stopped after the action server's 30th restart over an afternoon)."""
    from assistant.stack.launcher import MAX_RESTARTS

    stack = fake(tmp_path)
    stack.start()
    try:
        hms = next(p for p in stack.procs if p.name == "hms")
        hms.restart_times = [time.monotonic() - 3600] * 40  # an afternoon of restarts ago

        def kill_and_watch() -> list[str]:
            assert hms.popen is not None
            hms.popen.kill()
            hms.popen.wait(timeout=10)
            return stack.watch()

        for _ in range(MAX_RESTARTS):
            assert kill_and_watch() == ["hms"]
        with pytest.raises(StackError, match="hms keeps stopping"):
            kill_and_watch()
    finally:
        stack.stop()


HELD = """
import time

import pytest

from tests.gateway.stack_fakes import FakeStack


@pytest.fixture(scope="session")
def held(tmp_path_factory):
    stack = FakeStack(
        var_dir=tmp_path_factory.mktemp("held"), hms_port=0, rasa_port=0, action_port=0,
        gateway_port=0, timeout=30, inherit=False, say=lambda _: None,
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def test_hold(held):
    pids = [str(p.popen.pid) for p in held.procs]
    with open(PIDS, "w") as out:
        out.write(" ".join(pids))
    time.sleep(120)
"""


@pytest.mark.servers
def test_stack_of_a_test_session_stops_when_pytest_gets_sigterm(tmp_path):
    """``timeout`` or a cancelled CI job SIGTERMs pytest: the session's stack is torn down
    (its processes run in their own sessions; they were left running as orphans)."""
    pids_file = tmp_path / "pids"
    held = tmp_path / "test_held.py"
    held.write_text(f"PIDS = {str(pids_file)!r}\n" + HELD)
    root = HERE.parents[1]
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-c", str(root / "pyproject.toml"),
         "--rootdir", str(root), str(held)],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (pids_file.exists() and pids_file.read_text()):
            assert run.poll() is None and time.monotonic() < deadline, run.stdout
            time.sleep(0.2)
        pids = [int(p) for p in pids_file.read_text().split()]
        assert len(pids) == 3 and all(_alive(p) for p in pids)
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 2  # interrupted, as on Ctrl-C
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in pids if _alive(p)], "the stack outlived pytest"
    finally:
        if run.poll() is None:
            run.kill()


@pytest.mark.servers
def test_stack_each_process_gets_only_the_secrets_it_needs(tmp_path):
    stack = fake(tmp_path, environ={"PATH": os.environ["PATH"], "SLACK_BOT_TOKEN": "xoxb-1"})
    stack.start()
    try:
        secrets = stack.secrets
        for proc in stack.procs:
            environ = (Path("/proc") / str(proc.pid) / "environ").read_bytes().split(b"\0")
            have = {item.split(b"=", 1)[0].decode() for item in environ if b"=" in item}
            held = {name for name in GENERATED_SECRETS if name in have}
            assert held == {n for n in GENERATED_SECRETS if n in NEEDS[proc.role]}, proc.name
            assert "DEMO_ENV_FILE" in have
            cmdline = (Path("/proc") / str(proc.pid) / "cmdline").read_bytes().decode()
            assert not [v for v in secrets.values() if v in cmdline], proc.name
        assert "HMS_API_TOKEN" not in have_of(stack, "rasa")
        assert "ASSISTANT_SIGNING_KEY" not in have_of(stack, "hms")
        assert "SLACK_BOT_TOKEN" in have_of(stack, "gateway")
        assert "SLACK_BOT_TOKEN" not in have_of(stack, "rasa")
    finally:
        stack.stop()


def have_of(stack, name):
    proc = next(p for p in stack.procs if p.name == name)
    environ = (Path("/proc") / str(proc.pid) / "environ").read_bytes().split(b"\0")
    return {item.split(b"=", 1)[0].decode() for item in environ if b"=" in item}


def test_process_env_unknown_file_secret_goes_to_app_processes_only():
    env = {"PATH": "/bin", "NEW_KEY": "s", "HMS_API_TOKEN": "t"}
    assert "NEW_KEY" in process_env(env, "gateway", {"NEW_KEY"})
    assert "NEW_KEY" not in process_env(env, "rasa", {"NEW_KEY"})
    assert "NEW_KEY" not in process_env(env, "hms", {"NEW_KEY"})
    assert process_env(env, "service", {"NEW_KEY"}) == {"PATH": "/bin"}


@pytest.mark.servers
def test_stack_var_dir_and_everything_in_it_owner_only(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "old.log").write_text("from a run before umask 077")
    os.chmod(var / "old.log", 0o644)
    stack = fake(var)
    stack.start()
    try:
        assert (var / "hms.state").exists()  # written by a child process
    finally:
        stack.stop()
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    loose = []
    for root, dirs, files in os.walk(var):
        for name in dirs + files:
            mode = stat.S_IMODE((Path(root) / name).lstat().st_mode)
            if mode & 0o077:
                loose.append((name, oct(mode)))
    assert loose == []


@pytest.mark.servers
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stack_cli_signal_to_whole_group_twice_stops_every_child_without_traceback(tmp_path, sig):
    launcher = subprocess.Popen(
        [sys.executable, "-m", "tests.gateway.stack_fakes", str(tmp_path)],
        cwd=HERE.parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as under make or a supervisor
        text=True,
    )
    assert launcher.stdout is not None
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = launcher.stdout.readline()
        lines.append(line)
        if "Press Ctrl-C" in line or not line:
            break
    assert any("is running" in line for line in lines), "".join(lines)
    children = _descendants(launcher.pid)
    assert len(children) >= 6  # three servers and their grandchildren
    os.killpg(launcher.pid, sig)
    time.sleep(0.05)
    os.killpg(launcher.pid, sig)  # make forwards it again; a second Ctrl-C
    output = "".join(lines) + launcher.stdout.read()
    assert launcher.wait(timeout=60) == 0, output
    assert "Traceback" not in output, output
    assert "all processes stopped" in output
    time.sleep(0.2)
    assert [pid for pid in children if _alive(pid)] == []


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    parent = {int(c): int(p) for c, p in (line.split() for line in out.splitlines())}
    found, frontier = [], {pid}
    while frontier:
        frontier = {c for c, p in parent.items() if p in frontier}
        found += sorted(frontier)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stack_scale_profile_plans_services_balancer_and_workers(tmp_path):
    stack = Stack(
        var_dir=tmp_path,
        profile="scale",
        hms_port=0,
        action_port=0,
        rasa_port=0,
        gateway_port=0,
        rasa_workers=3,
        gateways=2,
        action_servers=2,
        model=tmp_path / "m.tar.gz",
        say=lambda _: None,
        inherit=False,
    )
    stack.prepare()
    names = [p.name for p in stack._commands()]
    assert names == [
        "postgres",
        "redis",
        "hms",
        "adt",
        "hms-practice",
        "actions-1",
        "actions-2",
        "rasa-1",
        "rasa-2",
        "rasa-3",
        "haproxy",
        "gateway-1",
        "gateway-2",
    ]
    assert stack.env["ASSISTANT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert stack.env["TRACKER_DATABASE_URL"] == stack.env["ASSISTANT_DATABASE_URL"]
    assert stack.env["REDIS_URL"].startswith("unix://")
    endpoints = yaml.safe_load((tmp_path / "endpoints.yml").read_text())
    assert endpoints["lock_store"]["type"].endswith("AtomicRedisLockStore")
    assert endpoints["action_endpoint"]["url"] == stack.urls["actions"]


def test_stack_operator_settings_reach_the_processes(tmp_path):
    environ = {
        "PATH": os.environ["PATH"],
        "HMS_BASE_URL": "https://fhir.example.org/R4",
        "ASSISTANT_DATABASE_URL": "postgresql+psycopg://app@db/assistant",
        "HMS_DATABASE_URL": "postgresql+psycopg://app@db/hms",
        "EMERGENCY_NUMBER": "999",
    }
    stack = Stack(var_dir=tmp_path, model=tmp_path / "m", environ=environ, say=lambda _: None)
    stack.prepare()
    procs = {p.name: p for p in stack._commands()}
    assert "hms" not in procs  # an external HMS is not started
    gateway = stack.env_for(procs["gateway"])
    assert gateway["HMS_BASE_URL"] == "https://fhir.example.org/R4"
    assert gateway["ASSISTANT_DATABASE_URL"] == environ["ASSISTANT_DATABASE_URL"]
    assert gateway["EMERGENCY_NUMBER"] == "999"
    assert "HMS_DATABASE_URL" not in gateway
    rasa = stack.env_for(procs["rasa"])
    assert rasa["TRACKER_DATABASE_URL"] == environ["ASSISTANT_DATABASE_URL"]


def test_load_balancer_config_is_valid_haproxy(tmp_path):
    haproxy = "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        missing("HAProxy (Debian package haproxy)")
    config = tmp_path / "haproxy.cfg"
    balancer = LoadBalancer(tmp_path, "127.0.0.1", 8080, [9001, 9002], 5055, [9101])
    config.write_text(balancer.config())
    result = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
