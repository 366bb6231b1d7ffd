"""CPU per request of the HTTP clients the stack could use for its inner hops
(gateway -> Rasa, action server -> HMS): a plain ``httpx.AsyncClient``, the same through
``assistant.wire.HttpxWire`` (what runs when a transport is given), and aiohttp
(``assistant.wire.AiohttpWire``, what the stack runs).

    .venv/bin/python bench/http_clients.py [--requests 2000]

A small aiohttp.web server answers a JSON body in a child process on a free port; this
process sends the same POST (a gateway-sized JSON body) sequentially through each client
and prints the client's CPU time (``time.process_time``) and wall time per request. Only
the client's own CPU is counted: that is what the hop costs the process that makes it.
Benchmarks print; they assert nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.stack.files import free_port  # noqa: E402
from assistant.wire import AiohttpWire, HttpxWire  # noqa: E402

BODY = {
    "sender": "slack:n.jones:C1",
    "message": "how many free beds on 4B",
    "metadata": {"principal": "x" * 300, "safety": "none"},
    "message_id": "m-1",
}


def serve(port: int) -> None:
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response([{"recipient_id": "x", "text": "4B has 3 free beds."}])

    app = web.Application()
    app.router.add_post("/webhook", answer)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


async def measure(client: object, url: str, count: int) -> tuple[float, float]:
    send = client.request  # type: ignore[attr-defined]
    for _ in range(50):  # warm: connection open, caches filled
        await send("POST", url, json=BODY)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        (await send("POST", url, json=BODY)).json()
    return (time.process_time() - cpu) / count * 1e3, (time.perf_counter() - wall) / count * 1e3


async def run(url: str, count: int) -> None:
    import httpx

    async def plain_httpx() -> tuple[float, float]:
        async with httpx.AsyncClient() as client:

            class Adapter:
                async def request(self, method: str, target: str, json: object) -> object:
                    return await client.request(method, target, json=json)

            return await measure(Adapter(), url, count)

    async def httpx_wire() -> tuple[float, float]:
        client = HttpxWire(httpx.AsyncHTTPTransport(), timeout=10.0)
        try:
            return await measure(client, url, count)
        finally:
            await client.aclose()

    async def aiohttp_wire() -> tuple[float, float]:
        client = AiohttpWire(timeout=10.0)
        try:
            return await measure(client, url, count)
        finally:
            await client.aclose()

    for name, case in (
        ("httpx.AsyncClient", plain_httpx),
        ("assistant.wire.HttpxWire", httpx_wire),
        ("assistant.wire.AiohttpWire", aiohttp_wire),
    ):
        cpu, wall = await case()
        print(f"  {name:28s} CPU {cpu:5.3f} ms/request   wall {wall:5.3f} ms/request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    port = free_port("127.0.0.1")
    server = multiprocessing.Process(target=serve, args=(port,), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{port}/webhook"
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import socket

                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        print(f"{args.requests} sequential POSTs per client, one pooled connection:")
        asyncio.run(run(url, args.requests))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
