"""Scenario tests: make the shared ``scenario_kit`` helpers importable (importlib mode).

All scenario conversations reach the test stack's gateway from one address (127.0.0.1) and
a few demo staff, so the gateway's default rate limits (120/minute per IP, 30/minute per
staff member) would throttle the test driver itself. The stack copies this process's
environment at start, so generous limits are set here unless the caller chose their own;
the limits themselves are tested in ``tests/gateway/test_gateway_limits.py``.
"""

import os
import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

os.environ.setdefault("RATE_LIMIT_IP", "3000/minute")
os.environ.setdefault("RATE_LIMIT_USER", "1000/minute")
