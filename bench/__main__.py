"""Run the benchmarks and print their figures: ``python -m bench [name ...]``.

Benchmarks are not tests: they measure and print, and assert nothing. Each one is a
script in this folder that can also be run on its own (see its ``--help``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {
    "hms": [HERE / "hms_bench.py"],
    "e2e": [HERE / "e2e_bench.py"],
    "slack": [HERE / "slack_bench.py"],
    "handoff": [HERE / "handoff_bench.py"],
    "voice": [HERE / "voice" / "run.py"],
    "dialogues": [HERE / "dialogues.py"],
    "privacy": [HERE / "privacy.py"],
    "safety": [HERE / "safety.py"],
    "adt": [HERE / "adt_bench.py"],
    "import": [HERE / "import_bench.py"],
    "compare": [HERE / "compare_rasa.py"],
    "cpu": [HERE / "cpu_per_message.py"],
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    failed = []
    for name in names:
        script = BENCHES.get(name)
        if script is None or not script[0].exists():
            print(f"== {name}: not available")
            continue
        print(f"== {name}: {script[0].relative_to(HERE.parent)}", flush=True)
        if subprocess.run([sys.executable, *map(str, script)], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
