"""Benchmark the HL7 v2 ADT listener: messages per second with ACK on one connection.

Starts ``python -m hms adt-listen`` (a real process, temp seeded SQLite) and sends, on ONE
MLLP connection, each message only after the previous ACK:
- ``a20``: A20 bed-status updates (clean/dirty) cycling over the free beds;
- ``admit-discharge``: A01 admit of a new patient then A03 discharge, repeated.
Run: ``.venv/bin/python bench/adt_bench.py [--messages 1000]``. Prints figures; asserts nothing.
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

ROOT = Path(__file__).resolve().parent.parent
VT, END = b"\x0b", b"\x1c\r"
MSH = "MSH|^~\\&|BENCH|DEMOHOSP|HMS|DEMOHOSP|20260301101500||{type}|{cid}|P|2.5"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def a20(cid: str, ward: str, bed: int, status: str) -> str:
    return "\r".join(
        [
            MSH.format(type="ADT^A20^ADT_A20", cid=cid),
            "EVN|A20|20260301101500",
            f"NPU|{ward}^^{bed:02d}|{status}",
        ]
    )


def admit(cid: str, mrn: str, event: str, ward: str, bed: int) -> str:
    kind = {"A01": "ADT^A01^ADT_A01", "A03": "ADT^A03^ADT_A03"}[event]
    return "\r".join(
        [
            MSH.format(type=kind, cid=cid),
            f"EVN|{event}|20260301101500",
            f"PID|1||{mrn}^^^DEMOHOSP^MR||BENCH^PATIENT||19700101|F",
            f"PV1|1|I|{ward}^^{bed:02d}|||||||MED||||||||IP|V{mrn}",
        ]
    )


def exchange(sock: socket.socket, message: str, buf: bytearray) -> tuple[bytes, float]:
    started = time.perf_counter()
    sock.sendall(VT + message.encode() + END)
    while END not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("listener closed the connection")
        buf += chunk
    end = buf.index(END)
    ack = bytes(buf[: end + 2])
    del buf[: end + 2]
    return ack, time.perf_counter() - started


def run(port: int, messages: list[str]) -> tuple[float, list[float], int]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        buf, latencies, errors = bytearray(), [], 0
        started = time.perf_counter()
        for message in messages:
            ack, took = exchange(sock, message, buf)
            latencies.append(took)
            errors += b"MSA|AA" not in ack
        return time.perf_counter() - started, latencies, errors


def report(name: str, elapsed: float, latencies: list[float], errors: int) -> None:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * (len(ordered) - 1)))]
    print(
        f"{name}: {len(latencies)} messages in {elapsed:.2f}s ="
        f" {len(latencies) / elapsed:.0f} msg/s with ACK (one connection);"
        f" latency p50 {statistics.median(latencies) * 1000:.1f} ms,"
        f" p95 {p95 * 1000:.1f} ms; non-AA {errors}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adt-bench-") as tmp:
        port = _free_port()
        env = os.environ | {
            "HMS_DATABASE_URL": f"sqlite:///{tmp}/hms.db",
            "VAR_DIR": tmp,
            "ADT_PORT": str(port),
        }
        subprocess.run(
            [sys.executable, "-m", "hms", "seed"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "hms", "adt-listen"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        print("the ADT listener did not start")
                        return 1
                    time.sleep(0.2)
            beds = [("4B", 3), ("4B", 11), ("4B", 17), ("7", 3), ("7", 9), ("ICU", 1)]
            msgs = [
                a20(f"A20-{i}", *beds[i % len(beds)], "H" if (i // len(beds)) % 2 == 0 else "U")
                for i in range(args.messages)
            ]
            report("A20 bed status", *run(port, msgs))
            pairs = []
            for i in range(args.messages // 2):
                mrn = f"{60000000 + i}"
                pairs += [
                    admit(f"ADM-{i}", mrn, "A01", "7", 14),  # 7-14: free, no stay
                    admit(f"DIS-{i}", mrn, "A03", "7", 14),
                ]
            report("A01 admit + A03 discharge", *run(port, pairs))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
