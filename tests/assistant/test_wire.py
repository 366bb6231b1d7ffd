"""``assistant.wire`` over a real local HTTP server (aiohttp.web on a TCP port) and over an
httpx transport: the same request, the same reply, the same errors."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
from aiohttp import web

from assistant.wire import (
    AiohttpWire,
    HttpxWire,
    Timeout,
    Unreachable,
    WireError,
    env_proxy,
    join,
    query_pairs,
    same_origin,
    wire,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "path": request.path,
            "query": [[k, v] for k, v in request.query.items()],
            "auth": request.headers.get("Authorization"),
            "extra": request.headers.get("X-Extra"),
            "type": request.headers.get("Content-Type"),
            "body": json.loads(body) if body else None,
        },
        headers={"ETag": 'W/"3"'},
    )


async def slow(_request: web.Request) -> web.Response:
    await asyncio.sleep(1.5)
    return web.Response(text="late")


async def dies(request: web.Request) -> web.Response:
    assert request.transport is not None
    request.transport.abort()  # the process "died" mid-turn: no reply at all
    await asyncio.sleep(0.1)
    return web.Response(text="never")


@pytest.fixture
async def server():
    app = web.Application()
    app.router.add_route("*", "/fhir/R4/{tail:.*}", echo)
    app.router.add_get("/slow", slow)
    app.router.add_post("/dies", dies)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


def test_wire_query_pairs_are_written_as_httpx_writes_them():
    assert query_pairs({"a": [1, "x"], "b": True, "c": None, "d": 2.5}) == [
        ("a", "1"),
        ("a", "x"),
        ("b", "true"),
        ("c", ""),
        ("d", "2.5"),
    ]


def test_wire_join_appends_to_the_base_path_and_keeps_absolute_urls():
    assert join("http://h/fhir/R4/", "Location") == "http://h/fhir/R4/Location"
    assert join("http://h/fhir/R4/", "/metadata") == "http://h/fhir/R4/metadata"
    assert join("http://h/fhir/R4/", "http://h/fhir/R4/Patient?p=2") == (
        "http://h/fhir/R4/Patient?p=2"
    )
    assert join("", "http://w:5005/x") == "http://w:5005/x"


def test_wire_same_origin_fills_in_default_ports():
    assert same_origin("http://h/fhir", "http://h:80/other")
    assert not same_origin("http://h/fhir", "http://evil/fhir")
    assert not same_origin("http://h:8081/", "http://h:8082/")


def test_wire_without_transport_is_aiohttp_and_with_one_httpx():
    assert isinstance(wire(timeout=1.0), AiohttpWire)
    mock = httpx.MockTransport(lambda request: httpx.Response(204))
    assert isinstance(wire(timeout=1.0, transport=mock), HttpxWire)


async def test_wire_aiohttp_sends_the_request_and_reads_the_reply(server):
    client = wire(timeout=5.0, base_url=f"{server}/fhir/R4/", headers={"Authorization": "Bearer t"})
    try:
        reply = await client.request(
            "POST",
            "Appointment",
            params={"patient": "Patient/1", "status": ["booked", "pending"]},
            json={"resourceType": "Appointment"},
            headers={"X-Extra": "yes"},
        )
        again = await client.request("GET", "metadata")  # the pooled connection again
    finally:
        await client.aclose()
    assert reply.status == 200
    assert reply.headers["etag"] == 'W/"3"'  # case-insensitive
    seen = reply.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/fhir/R4/Appointment"
    assert seen["query"] == [["patient", "Patient/1"], ["status", "booked"], ["status", "pending"]]
    assert seen["auth"] == "Bearer t"
    assert seen["extra"] == "yes"
    assert seen["type"].startswith("application/json")
    assert seen["body"] == {"resourceType": "Appointment"}
    assert again.json()["path"] == "/fhir/R4/metadata"


async def test_wire_aiohttp_refused_connection_is_unreachable():
    client = wire(timeout=2.0)
    try:
        with pytest.raises(Unreachable) as err:
            await client.request("GET", f"http://127.0.0.1:{free_port()}/x")
    finally:
        await client.aclose()
    assert "Connect" in err.value.kind


async def test_wire_aiohttp_server_gone_mid_request_is_unreachable(server):
    client = wire(timeout=5.0)
    try:
        with pytest.raises(Unreachable):
            await client.request("POST", f"{server}/dies", json={"message": "x"})
    finally:
        await client.aclose()


async def test_wire_aiohttp_no_answer_in_time_is_a_timeout(server):
    client = wire(timeout=0.3)
    try:
        with pytest.raises(Timeout):
            await client.request("GET", f"{server}/slow")
    finally:
        await client.aclose()


async def test_wire_aiohttp_bad_url_is_a_wire_error_not_a_crash():
    client = wire(timeout=1.0)
    try:
        with pytest.raises(WireError):
            await client.request("GET", "nope://host/x")
    finally:
        await client.aclose()


async def test_wire_httpx_maps_the_same_errors():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def late(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("late", request=request)

    def cut(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("cut", request=request)

    for handler, error in ((refuse, Unreachable), (late, Timeout), (cut, Unreachable)):
        client = wire(timeout=1.0, transport=httpx.MockTransport(handler))
        with pytest.raises(error):
            await client.request("GET", "http://w/x")
        await client.aclose()


async def test_wire_httpx_sends_the_same_request():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"ok": True}, headers={"Location": "Appointment/9"})

    client = wire(
        timeout=1.0,
        base_url="http://h/fhir/R4/",
        headers={"Authorization": "Bearer t"},
        transport=httpx.MockTransport(handler),
    )
    reply = await client.request("POST", "Appointment", params={"a": [1, 2]}, json={"x": 1})
    await client.aclose()
    assert (reply.status, reply.json(), reply.headers["location"]) == (
        201,
        {"ok": True},
        "Appointment/9",
    )
    assert str(seen[0].url) == "http://h/fhir/R4/Appointment?a=1&a=2"
    assert seen[0].headers["authorization"] == "Bearer t"
    assert json.loads(seen[0].content) == {"x": 1}


async def test_wire_aiohttp_session_follows_the_event_loop(server):
    """A client made once (a service object) and used from two event loops in turn (the
    tests' loops, a restarted server) makes a session in each."""
    client = wire(timeout=5.0)
    first = (await client.request("GET", f"{server}/fhir/R4/a")).status
    await client.aclose()
    assert first == 200
    second = (await client.request("GET", f"{server}/fhir/R4/b")).status  # new session
    await client.aclose()
    assert second == 200


def test_wire_env_proxy_reads_the_environment_as_curl_and_httpx_do():
    env = {"HTTPS_PROXY": "http://proxy.trust:3128", "NO_PROXY": "lab.trust,.internal:8443"}
    assert env_proxy("https://fhir.example.org/fhir/R4", env) == "http://proxy.trust:3128"
    assert env_proxy("http://fhir.example.org/fhir/R4", env) is None  # no HTTP_PROXY
    assert env_proxy("https://lab.trust/fhir", env) is None
    assert env_proxy("https://pacs.lab.trust/fhir", env) is None  # a subdomain
    assert env_proxy("https://x.internal:8443/", env) is None
    assert env_proxy("https://x.internal:9443/", env) == "http://proxy.trust:3128"  # port
    assert env_proxy("http://x/", {"ALL_PROXY": "http://all:1"}) == "http://all:1"
    assert env_proxy("http://x/", {"all_proxy": "http://all:1", "no_proxy": "*"}) is None
    for loopback in ("http://127.0.0.1:5005/", "http://localhost:8081/", "http://[::1]:1/"):
        assert env_proxy(loopback, {"ALL_PROXY": "http://all:1"}) is None  # never
    assert env_proxy("https://fhir.example.org/", {}) is None


async def test_wire_aiohttp_goes_through_the_environment_proxy(monkeypatch):
    """An external FHIR server behind the hospital's outbound proxy: the request goes to the
    proxy in absolute form (the host itself does not resolve here)."""
    seen = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append((request.method, str(request.url), request.headers.get("Authorization")))
        return web.json_response({"resourceType": "CapabilityStatement"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = wire(
        timeout=5.0,
        base_url="http://fhir.hospital.invalid/fhir/R4/",
        headers={"Authorization": "Bearer t"},
    )
    try:
        reply = await client.request("GET", "metadata")
    finally:
        await client.aclose()
        await runner.cleanup()
    assert reply.json() == {"resourceType": "CapabilityStatement"}
    assert seen == [("GET", "http://fhir.hospital.invalid/fhir/R4/metadata", "Bearer t")]
