"""A ``Stack`` whose processes are tiny HTTP servers (the real launcher around them).

Run as a module it is ``python -m assistant stack`` with those servers:
``python -m tests.gateway.stack_fakes <var dir>`` (used by the signal tests).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from assistant.stack import Stack
from assistant.stack.procs import Proc

# each server also starts a grandchild (as uvicorn/sanic workers or PostgreSQL do), and
# writes a file under var/ so the tests can check what the children create
SERVER = textwrap.dedent(
    """
    import http.server, os, subprocess, sys
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.path.join(os.environ["VAR_DIR"], sys.argv[2] + ".state"), "w") as f:
        f.write("x")
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
        def log_message(self, *a):
            pass
    print("listening", flush=True)
    http.server.HTTPServer.allow_reuse_address = True
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """
)


class FakeStack(Stack):
    """The real launcher with tiny HTTP servers in place of the four processes."""

    def __init__(self, *args, crash=None, **kwargs):
        kwargs.setdefault("kiosk_setup", False)
        super().__init__(*args, **kwargs)
        self.crash = crash

    def _commands(self):
        procs = []
        for name, port, role in [
            ("hms", self.ports["hms"], "hms"),
            ("rasa", self.rasa_ports[0], "rasa"),
            ("gateway", self.ports["gateway"], "gateway"),
        ]:
            code = "import sys; print('boom'); sys.exit(3)" if name == self.crash else SERVER
            procs.append(
                Proc(
                    name,
                    [sys.executable, "-c", code, str(port), name],
                    f"http://127.0.0.1:{port}/",
                    self.log_dir / f"{name}.log",
                    role=role,
                )
            )
        return procs


def main() -> int:
    import assistant.stack as stack_module
    from assistant.cli.stack import run

    var_dir = Path(sys.argv[1])

    def make(**kwargs):
        kwargs.update(var_dir=var_dir, hms_port=0, rasa_port=0, action_port=0, gateway_port=0)
        kwargs.update(say=lambda m: print(m, flush=True), timeout=30)
        return FakeStack(**kwargs)

    stack_module.Stack = make  # type: ignore[misc,assignment]  # what run() builds
    import argparse

    args = argparse.Namespace(
        var_dir=var_dir,
        profile="default",
        rasa_workers=1,
        gateways=1,
        action_servers=1,
        model=None,
        timeout=30.0,
    )
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
