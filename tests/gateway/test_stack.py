import os
import stat
import sys
import textwrap

import pytest

from assistant.config import load_env_file
from assistant.stack import Stack, StackError, table
from assistant.stack.files import ensure_demo_env, write_credentials, write_endpoints
from assistant.stack.launcher import Proc


def test_stack_demo_env_generated_private_and_reused(tmp_path):
    first = ensure_demo_env(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / "demo.env").st_mode)
    assert mode == 0o600
    assert set(first) >= {"HMS_API_TOKEN", "ASSISTANT_SIGNING_KEY", "ASSISTANT_DATA_KEY"}
    assert ensure_demo_env(tmp_path) == first
    from cryptography.fernet import Fernet

    Fernet(first["ASSISTANT_DATA_KEY"].encode())  # a valid Fernet key


def test_stack_demo_env_keeps_existing_and_adds_missing(tmp_path):
    (tmp_path / "demo.env").write_text("HMS_API_TOKEN=mine\n")
    values = ensure_demo_env(tmp_path)
    assert values["HMS_API_TOKEN"] == "mine"
    assert load_env_file(tmp_path / "demo.env")["ASSISTANT_SIGNING_KEY"]


def test_stack_endpoints_and_credentials_for_rasa(tmp_path):
    import yaml

    endpoints = yaml.safe_load(
        write_endpoints(tmp_path, "http://127.0.0.1:5999/webhook").read_text()
    )
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5999/webhook"
    assert endpoints["tracker_store"] == {
        "type": "rasa_ext.tracker_store.EncryptedSQLTrackerStore",
        "dialect": "sqlite",
        "db": str(tmp_path / "rasa_tracker.db"),
    }
    assert endpoints["lock_store"]["type"] == "in_memory"
    assert "rest" in yaml.safe_load(write_credentials(tmp_path).read_text())


SERVER = textwrap.dedent(
    """
    import http.server, os, sys
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
        def log_message(self, *a):
            pass
    print("listening", flush=True)
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """
)


class FakeStack(Stack):
    """The real launcher with tiny HTTP servers in place of the four processes."""

    def __init__(self, *args, crash=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.crash = crash

    def _commands(self):
        procs = []
        for name, port in [
            ("hms", self.ports["hms"]),
            ("rasa", self.rasa_ports[0]),
            ("gateway", self.ports["gateway"]),
        ]:
            code = "import sys; print('boom'); sys.exit(3)" if name == self.crash else SERVER
            procs.append(
                Proc(
                    name,
                    [sys.executable, "-c", code, str(port)],
                    f"http://127.0.0.1:{port}/",
                    self.log_dir / f"{name}.log",
                )
            )
        return procs


def test_stack_starts_waits_and_stops_processes(tmp_path):
    stack = FakeStack(
        var_dir=tmp_path,
        hms_port=0,
        rasa_port=0,
        action_port=0,
        gateway_port=0,
        say=lambda _: None,
        timeout=30,
    )
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


def test_stack_failed_process_named_with_its_log(tmp_path):
    stack = FakeStack(
        var_dir=tmp_path,
        hms_port=0,
        rasa_port=0,
        action_port=0,
        gateway_port=0,
        say=lambda _: None,
        timeout=30,
        crash="rasa",
    )
    with pytest.raises(StackError) as caught:
        stack.start()
    message = str(caught.value)
    assert "rasa exited with code 3" in message
    assert str(tmp_path / "log" / "rasa.log") in message and "boom" in message
    assert stack.procs == []  # the others were stopped


def test_stack_without_model_says_how_to_train(tmp_path):
    stack = Stack(root=tmp_path, var_dir=tmp_path / "var", say=lambda _: None)
    with pytest.raises(StackError, match="make model"):
        stack.start()


def test_stack_port_in_use_refused_before_starting(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        stack = FakeStack(
            var_dir=tmp_path,
            hms_port=port,
            rasa_port=0,
            action_port=0,
            gateway_port=0,
            say=lambda _: None,
            timeout=30,
        )
        with pytest.raises(StackError, match=f"port {port} for hms is in use"):
            stack.start()
    assert stack.procs == []


def test_stack_two_rasa_workers_get_own_ports_and_gateway_knows_both(tmp_path):
    stack = Stack(
        var_dir=tmp_path,
        hms_port=0,
        action_port=0,
        rasa_port=0,
        gateway_port=0,
        rasa_workers=2,
        model=tmp_path / "m.tar.gz",
        say=lambda _: None,
    )
    stack.prepare()
    names = [p.name for p in stack._commands()]
    assert names == ["hms", "adt", "hms-practice", "actions", "rasa-1", "rasa-2", "gateway"]
    assert stack.env["ADT_PORT"] == str(stack.ports["adt"]) != "2575"  # a free port too
    assert len(set(stack.rasa_ports)) == 2
    assert stack.env["RASA_URLS"].split(",") == [
        f"http://127.0.0.1:{port}" for port in stack.rasa_ports
    ]


def test_stack_tcp_health_check_is_an_accepted_connection():
    import socket

    from assistant.stack.launcher import _healthy

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert _healthy(f"tcp://127.0.0.1:{port}")
    assert not _healthy(f"tcp://127.0.0.1:{port}")
