"""Relay latency: requester message -> post in the agent's relay thread (fake Slack Web API).

    .venv/bin/python bench/handoff_bench.py [--messages 200] [--redis-url redis://...]

In-process mode: one worker (MemoryBus). Redis mode: two workers sharing a redis-server
(started here on a free port when ``--redis-url`` is not given) and one SQLite store: the
requester's messages arrive at worker A, the claim (and so the agent-side subscription) is
on worker B, which posts. Latency is from just before ``intercept`` to the fake Slack API
receiving the ``chat.postMessage``. Prints p50/p95/max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from assistant.channels.slack.helpdesk_desk import SlackHelpdesk  # noqa: E402
from assistant.crypto import DataCipher, generate_key  # noqa: E402
from assistant.handoff.bus import MemoryBus, RedisBus  # noqa: E402
from assistant.handoff.ports import Agent  # noqa: E402
from assistant.handoff.relay import HandoffService  # noqa: E402
from assistant.handoff.state import RelayStateStore  # noqa: E402
from assistant.handoff.tickets import TicketStore  # noqa: E402
from assistant.store import open_store_at  # noqa: E402

AGENT = Agent("U0HLEE", "h.lee", frozenset({"helpdesk"}))
DM = "D0NJONES"


def load_fake() -> Any:
    from tests.fakes import slack_api

    return slack_api


def worker(url: str, cipher: DataCipher, bus: Any, fake_url: str, name: str) -> HandoffService:
    store = open_store_at(url)
    service = HandoffService(
        tickets=TicketStore(store, cipher),
        state=RelayStateStore(store),
        bus=bus,
        remind_after=timedelta(hours=1),
        worker=name,
    )
    client = AsyncWebClient(token="xoxb-bench", base_url=fake_url)
    service.attach_desk(SlackHelpdesk(client, "C0HELPDESK"))
    return service


async def measure(a: HandoffService, b: HandoffService, fake: Any, n: int) -> list[float]:
    ticket = a.tickets.open_ticket(
        "n.jones", "slack", f"slack:n.jones:{DM}", "bench", {"turns": 0}, []
    )
    await b.claim(ticket.ticket_id, AGENT)
    await a.intercept("n.jones", "slack", DM, "warm-up")
    await fake.wait_for_async("chat.postMessage", lambda p: "warm-up" in p["text"])
    latencies = []
    for i in range(n):
        text = f"bench message {i}"
        start_index = len(fake.calls)
        started = time.time()
        await a.intercept("n.jones", "slack", DM, text)
        await fake.wait_for_async(
            "chat.postMessage", lambda p, t=text: p["text"].endswith(t), start=start_index
        )
        index = next(
            j
            for j in range(start_index, len(fake.calls))
            if fake.calls[j].params.get("text", "").endswith(text)
        )
        latencies.append((fake.times[index] - started) * 1000)
    return latencies


def report(mode: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{mode:<12} n={len(ordered):<4} p50={statistics.median(ordered):6.1f} ms  "
        f"p95={p95:6.1f} ms  max={ordered[-1]:6.1f} ms"
    )


def start_redis() -> tuple[str, subprocess.Popen[bytes]]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not installed (scripts/system-deps.sh)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", proc


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    fake = load_fake().FakeSlackApi().start()
    cipher = DataCipher([generate_key()])
    redis_proc = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/memory.db"
            one = worker(url, cipher, MemoryBus(), fake.url, "solo")
            report("in-process", await measure(one, one, fake, args.messages))
            await one.aclose()

            redis_url = args.redis_url
            if redis_url is None:
                redis_url, redis_proc = start_redis()
            url = f"sqlite:///{tmp}/redis.db"
            a = worker(url, cipher, RedisBus.from_url(redis_url), fake.url, "A")
            b = worker(url, cipher, RedisBus.from_url(redis_url), fake.url, "B")
            report("redis (A->B)", await measure(a, b, fake, args.messages))
            await a.aclose()
            await b.aclose()
    finally:
        fake.stop()
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
