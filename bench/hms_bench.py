"""Benchmark the reference HMS: seed time, and p50/p95 latency of a free-bed search.

Starts a real HMS (``python -m hms serve`` under uvicorn on a free port, temp SQLite db,
seeded) and times ``GET /fhir/R4/Location?partof=Location/ward-4b&operational-status=U``.
Run: ``.venv/bin/python bench/hms_bench.py [--requests 500]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hms-bench-") as tmp:
        port = _free_port()
        env = os.environ | {
            "HMS_DATABASE_URL": f"sqlite:///{tmp}/hms.db",
            "VAR_DIR": tmp,
            "HMS_API_TOKEN": TOKEN,
            "HMS_PORT": str(port),
        }
        seed = subprocess.run(
            [sys.executable, "-m", "hms", "seed"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        print(seed.stdout.strip())
        server = subprocess.Popen([sys.executable, "-m", "hms", "serve"], cwd=ROOT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            params = {"partof": "Location/ward-4b", "operational-status": "U"}
            latencies = []
            with httpx.Client(
                base_url=f"{base}/fhir/R4", headers={"Authorization": f"Bearer {TOKEN}"}
            ) as client:
                for _ in range(20):
                    client.get("/Location", params=params).raise_for_status()
                for _ in range(args.requests):
                    started = time.perf_counter()
                    response = client.get("/Location", params=params)
                    latencies.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                total = response.json()["total"]
            print(
                f"free-bed search ({total} beds) x{args.requests}: "
                f"p50 {statistics.median(latencies):.2f} ms, "
                f"p95 {_percentile(latencies, 95):.2f} ms, "
                f"max {max(latencies):.2f} ms"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
