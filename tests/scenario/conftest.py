"""Scenario tests: make the shared ``scenario_kit`` helpers importable (importlib mode).

(The gateway's rate limits are lifted for the suite in the root ``tests/conftest.py``.)
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
