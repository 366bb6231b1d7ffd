"""End-to-end latency through the REST channel: message -> gateway -> Rasa -> action -> HMS.

    .venv/bin/python bench/e2e_bench.py                    # starts its own stack (temp var dir)
    .venv/bin/python bench/e2e_bench.py --gateway http://127.0.0.1:8080   # a running stack

Each simulated staff conversation sends ``--messages`` requests one after another ("how
many free beds on 4B" by default); 1, 10 and 20 conversations run concurrently. Prints
p50/p95/max latency and throughput per level. Loopback only; a bounded number of requests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import get_settings
from assistant.identity.tokens import issue_token

DEFAULT_TEXT = "how many free beds on 4B"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def conversation(
    client: httpx.AsyncClient, url: str, token: str, text: str, count: int
) -> tuple[list[float], int]:
    latencies, errors = [], 0
    conversation_id = uuid.uuid4().hex
    for _ in range(count):
        start = time.perf_counter()
        response = await client.post(
            url,
            json={"text": text, "conversation_id": conversation_id},
            headers={"Authorization": f"Bearer {token}"},
        )
        elapsed = time.perf_counter() - start
        replies = response.json().get("replies") if response.status_code == 200 else None
        if not replies or "restarting" in replies[0].get("text", ""):
            errors += 1
        else:
            latencies.append(elapsed)
    return latencies, errors


async def level(url: str, key: str, staff: str, users: int, count: int, text: str) -> dict:
    token = issue_token(key, staff, ttl=3600)
    limits = httpx.Limits(max_connections=users + 2)
    async with httpx.AsyncClient(timeout=120.0, limits=limits) as client:
        await conversation(client, url, token, text, 1)  # warm-up (model, caches)
        start = time.perf_counter()
        results = await asyncio.gather(
            *(conversation(client, url, token, text, count) for _ in range(users))
        )
        wall = time.perf_counter() - start
    latencies = [x for lat, _ in results for x in lat]
    errors = sum(e for _, e in results)
    return {
        "users": users,
        "requests": users * count,
        "errors": errors,
        "p50": percentile(latencies, 0.5) * 1000 if latencies else float("nan"),
        "p95": percentile(latencies, 0.95) * 1000 if latencies else float("nan"),
        "max": max(latencies) * 1000 if latencies else float("nan"),
        "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "rps": len(latencies) / wall if wall else 0.0,
    }


def print_table(rows: list[dict], text: str) -> None:
    print(f'\nREST channel end-to-end latency, message "{text}"')
    print(
        f"{'users':>5} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'msg/s':>7}"
    )
    for r in rows:
        print(
            f"{r['users']:>5} {r['requests']:>8} {r['errors']:>6} {r['p50']:>8.0f} "
            f"{r['p95']:>8.0f} {r['max']:>8.0f} {r['rps']:>7.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", help="use a running gateway at this URL (loopback)")
    parser.add_argument("--staff", default="n.jones")
    parser.add_argument("--text", default=DEFAULT_TEXT)
    parser.add_argument("--messages", type=int, default=10, help="per conversation (max 50)")
    parser.add_argument("--levels", default="1,10,20", help="concurrent conversations")
    parser.add_argument("--rasa-workers", type=int, default=1)
    parser.add_argument("--model", type=Path, help="Rasa model (default: newest in models/)")
    args = parser.parse_args(argv)
    count = max(1, min(args.messages, 50))
    levels = [max(1, min(int(x), 50)) for x in args.levels.split(",")]

    stack = None
    if args.gateway:
        host = httpx.URL(args.gateway).host
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--gateway must be a loopback URL")
        url, key = args.gateway.rstrip("/") + "/api/v1/messages", get_settings().signing_key
    else:
        from assistant.stack import Stack

        var_dir = Path(tempfile.mkdtemp(prefix="e2e-bench-"))
        # one staff member sends every conversation here: the gateway's per-user and per-IP
        # rate limits would measure the limiter, not the request path
        stack = Stack(
            var_dir=var_dir,
            hms_port=0,
            action_port=0,
            rasa_port=0,
            gateway_port=0,
            rasa_workers=args.rasa_workers,
            model=args.model,
            kiosk_setup=False,
            extra_env={"RATE_LIMIT_IP": "off", "RATE_LIMIT_USER": "off"},
        )
        stack.start()
        url, key = stack.urls["rest"], stack.secrets["ASSISTANT_SIGNING_KEY"]
    try:
        rows = [asyncio.run(level(url, key, args.staff, n, count, args.text)) for n in levels]
    finally:
        if stack is not None:
            stack.stop()
    print_table(rows, args.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
