"""A custom action whose server is down or failing is answered, never silence.

Found trying the demo: with the action server restarting, "any free beds on 7" got no
reply at all. Scripts run in .venv-rasa (Rasa's Python).
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
pytestmark = pytest.mark.rasa


def _run(url: str) -> list[list[dict]]:
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")
    done = subprocess.run(
        [str(RASA_PY), str(ROOT / "tests" / "rasa_ext" / "actiondown_check.py"), url],
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_actiondown_unreachable_server_is_said_once_and_ends_the_turn():
    first, second = _run(f"http://127.0.0.1:{_closed_port()}/webhook")
    said = [e for e in first if e["event"] == "bot"]
    assert len(said) == 1 and said[0]["data"]["custom"]["kind"] == "actions_unavailable"
    assert "nothing was done" in said[0]["text"] and said[0]["data"]["custom"]["data"] == {
        "reached": False,
        "retry_after": 10,
    }
    assert first[-1] == {**first[-1], "event": "followup", "name": "action_listen"}
    assert [e["event"] for e in second] == ["followup"]  # said once per turn


def test_actiondown_server_error_says_it_may_have_been_done():
    class Failing(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        first, _ = _run(f"http://127.0.0.1:{server.server_address[1]}/webhook")
    finally:
        server.shutdown()
    (said,) = [e for e in first if e["event"] == "bot"]
    assert said["data"]["custom"]["data"]["reached"] is True
    assert "can't tell whether it was done" in said["text"]
