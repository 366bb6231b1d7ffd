"""Slack channel latency: ack time of signed event posts and event -> chat.postMessage.

    .venv/bin/python bench/slack_bench.py                  # starts its own stack + fake Slack API
    .venv/bin/python bench/slack_bench.py --inprocess      # channel only, echo assistant, no Rasa
    .venv/bin/python bench/slack_bench.py --gateway http://127.0.0.1:8080 --fake-port 8099
        # a running gateway started with SLACK_API_URL=http://127.0.0.1:8099/api/,
        # SLACK_BOT_TOKEN=xoxb-test and SLACK_SIGNING_SECRET=test-signing-secret

Sends ``--events`` signed ``message.im`` events (each in its own DM thread, ``--concurrency``
at a time) and prints p50/p95/max of the HTTP ack time and of the time until the fake Web
API received the matching ``chat.postMessage``. Loopback only; a bounded number of events.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_TEXT = "how many free beds on 4B"


from tests.fakes import slack_api as fk  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(name: str, seconds: list[float]) -> str:
    if not seconds:
        return f"{name:<28} no samples"
    ms = [s * 1000 for s in seconds]
    return (
        f"{name:<28} n={len(ms):<4} p50={statistics.median(ms):8.1f} ms  "
        f"p95={percentile(ms, 0.95):8.1f} ms  max={max(ms):8.1f} ms"
    )


async def run(
    post: Callable[[str, dict], Awaitable[int]],
    fake: Any,
    events: int,
    concurrency: int,
    text: str,
    user: str,
    timeout: float,
) -> None:
    acks: list[float] = []
    answers: list[float] = []
    failures = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        nonlocal failures
        thread = f"{time.time():.6f}{i:04d}"
        body = fk.event_body(fk.dm_event(user, text, thread), f"EvBench{time.time_ns()}{i}")
        headers = {"Content-Type": "application/json", **fk.signed_headers(body)}
        async with gate:
            sent = time.time()
            status = await post(body, headers)
            acks.append(time.time() - sent)
            if status != 200:
                failures += 1
                return
            try:
                await fake.wait_for_async(
                    "chat.postMessage", lambda p: p.get("thread_ts") == thread, timeout=timeout
                )
            except TimeoutError:
                failures += 1
                return
        with fake._cond:  # the fake records when each call arrived
            at = next(
                t
                for c, t in zip(fake.calls, fake.times, strict=True)
                if c.method == "chat.postMessage" and c.params.get("thread_ts") == thread
            )
        answers.append(at - sent)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(events)))
    wall = time.perf_counter() - started
    print(
        f"events={events} concurrency={concurrency} text={text!r} wall={wall:.2f}s "
        f"failures={failures}"
    )
    print(summary("ack (HTTP response)", acks))
    print(summary("event -> chat.postMessage", answers))


async def inprocess(args: argparse.Namespace, fake: Any) -> None:
    from assistant.config import get_settings
    from assistant.conversation import Reply
    from assistant.gateway.app import create_app
    from assistant.hms.models import Staff

    class Echo:
        async def send(self, **kw: Any) -> list[Reply]:
            return [Reply(f"echo: {kw['text']}")]

    class Directory:
        async def find_staff(self, username: str | None = None, email: str | None = None) -> list:
            name = (email or "").split("@")[0]
            return [Staff(f"pr-{name}", name, name, email, frozenset({"nurse"}))]

    with tempfile.TemporaryDirectory() as tmp:
        settings = dataclasses.replace(
            get_settings(),
            var_dir=Path(tmp),
            assistant_database_url=f"sqlite:///{tmp}/a.db",
            slack_bot_token="xoxb-test",
            slack_signing_secret=fk.SIGNING_SECRET,
            slack_app_token=None,
            slack_api_url=fake.url,
            signing_key="bench" * 8,
            redis_url=None,
        )
        app = create_app(settings, assistant=Echo(), hms=Directory, channels=("slack",))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:

            async def post(body: str, headers: dict) -> int:
                return (
                    await client.post("/slack/events", content=body, headers=headers)
                ).status_code

            await run(post, fake, args.events, args.concurrency, args.text, args.user, args.timeout)


async def over_http(args: argparse.Namespace, fake: Any, gateway: str) -> None:
    url = gateway.rstrip("/") + "/slack/events"
    async with httpx.AsyncClient(timeout=30) as client:

        async def post(body: str, headers: dict) -> int:
            return (await client.post(url, content=body, headers=headers)).status_code

        await run(post, fake, args.events, args.concurrency, args.text, args.user, args.timeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--text", default=DEFAULT_TEXT)
    parser.add_argument("--user", default=fk.DEMO_STAFF["n.jones"])
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--gateway", help="a running gateway (needs --fake-port)")
    parser.add_argument("--fake-port", type=int, default=0)
    parser.add_argument(
        "--inprocess", action="store_true", help="the Slack channel alone with an echo assistant"
    )
    args = parser.parse_args()
    fake = fk.FakeSlackApi(port=args.fake_port).start()
    try:
        if args.inprocess:
            print("mode: in-process gateway, echo assistant (Slack channel overhead only)")
            asyncio.run(inprocess(args, fake))
        elif args.gateway:
            print(f"mode: running gateway {args.gateway}, fake Slack API {fake.url}")
            asyncio.run(over_http(args, fake, args.gateway))
        else:
            from assistant.stack import Stack

            with tempfile.TemporaryDirectory() as tmp:
                stack = Stack(
                    var_dir=Path(tmp),
                    hms_port=0,
                    action_port=0,
                    rasa_port=0,
                    gateway_port=0,
                    say=lambda _: None,
                    extra_env={
                        "SLACK_API_URL": fake.url,
                        "SLACK_BOT_TOKEN": "xoxb-test",
                        "SLACK_SIGNING_SECRET": fk.SIGNING_SECRET,
                    },
                )
                stack.start()
                try:
                    print(f"mode: own stack, gateway {stack.urls['gateway']}")
                    asyncio.run(over_http(args, fake, stack.urls["gateway"]))
                finally:
                    stack.stop()
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
