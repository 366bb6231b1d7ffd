"""Fault handling of the HMS client: no HMS needed (MockTransport and local sockets)."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from assistant.hms import (
    Conflict,
    FhirHmsClient,
    Forbidden,
    HmsError,
    Invalid,
    NotFound,
    Unavailable,
)

BASE = "http://hms.test/fhir/R4"


def outcome(text: str, code: str = "processing") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }


def client_for(handler, **kwargs) -> FhirHmsClient:
    kwargs.setdefault("backoff", 0)
    return FhirHmsClient(BASE, "secret", transport=httpx.MockTransport(handler), **kwargs)


CAPABILITY = {"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1"}


async def test_client_ping_sends_bearer_token_and_fhir_accept():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CAPABILITY)

    async with client_for(handler) as hms:
        assert await hms.ping() == "4.0.1"
    assert str(seen[0].url) == f"{BASE}/metadata"
    assert seen[0].headers["Authorization"] == "Bearer secret"
    assert "fhir+json" in seen[0].headers["Accept"]
    assert "X-Acting-Staff" not in seen[0].headers


async def test_client_with_actor_sends_acting_staff_and_shares_connection():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"resourceType": "Bundle", "type": "searchset"})

    hms = client_for(handler)
    view = hms.with_actor("n.jones")
    assert view.acting_staff == "n.jones" and hms.acting_staff is None
    await view.aclose()  # a view does not close the shared connection pool
    with pytest.raises(NotFound):
        await view.get_ward("4B")  # empty Bundle: no wards at all
    await hms.aclose()
    assert seen  # the view still worked after its own aclose()


async def test_client_read_retries_5xx_then_succeeds():
    statuses = iter([503, 502, 200])
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        status = next(statuses)
        return httpx.Response(status, json=CAPABILITY if status == 200 else outcome("busy"))

    async with client_for(handler, retries=2) as hms:
        assert await hms.ping() == "4.0.1"
    assert calls == 3


async def test_client_read_gives_up_after_retries_with_unavailable():
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(503, json=outcome("database is down"))

    async with client_for(handler, retries=2) as hms:
        with pytest.raises(Unavailable) as err:
            await hms.ping()
    assert calls == 3
    assert err.value.status == 503
    assert err.value.diagnostics == "database is down"


async def test_client_read_does_not_retry_500():
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(500, json=outcome("bug"))

    async with client_for(handler, retries=2) as hms:
        with pytest.raises(Unavailable):
            await hms.ping()
    assert calls == 1


async def test_client_write_is_not_retried_on_5xx():
    posts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal posts
        if request.method == "GET" and request.url.path.endswith("/Practitioner"):
            return httpx.Response(
                200,
                json=bundle(
                    [
                        {
                            "resourceType": "Practitioner",
                            "id": "p1",
                            "identifier": [{"system": "urn:hms:staff", "value": "n.jones"}],
                        }
                    ]
                ),
            )
        if request.method == "GET":
            return httpx.Response(200, json=bundle([]))
        posts += 1
        return httpx.Response(503, json=outcome("try later"))

    async with client_for(handler, retries=3) as hms:
        with pytest.raises(Unavailable) as err:
            await hms.create_task("porter", "bed-4b-06", "urgent", "move a patient", "n.jones")
    assert posts == 1
    assert err.value.diagnostics == "try later"


def bundle(resources: list[dict], next_url: str | None = None) -> dict:
    body: dict = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    }
    if next_url:
        body["link"] = [{"relation": "next", "url": next_url}]
    return body


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, Invalid),
        (422, Invalid),
        (401, Forbidden),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (412, Conflict),
        (418, HmsError),
    ],
)
async def test_client_maps_status_to_error_with_diagnostics(status, kind):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=outcome(f"reason {status}"))

    async with client_for(handler) as hms:
        with pytest.raises(kind) as err:
            await hms.get_patient("pat-1")
    assert err.value.status == status
    assert err.value.diagnostics == f"reason {status}"
    assert f"reason {status}" in str(err.value)


async def test_client_conflict_tells_version_mismatch_from_state_conflict():
    def handler(request: httpx.Request) -> httpx.Response:
        code = 412 if request.url.path.endswith("/a") else 409
        return httpx.Response(code, json=outcome("no"))

    async with client_for(handler) as hms:
        with pytest.raises(Conflict) as moved:
            await hms.get_patient("a")
        with pytest.raises(Conflict) as taken:
            await hms.get_patient("b")
    assert moved.value.version_mismatch and not taken.value.version_mismatch


async def test_client_error_without_outcome_body_has_empty_diagnostics():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>not here</html>")

    async with client_for(handler) as hms:
        with pytest.raises(NotFound) as err:
            await hms.get_patient("x")
    assert err.value.diagnostics == ""


async def test_client_search_refuses_next_link_to_another_origin():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=bundle([], next_url="http://evil.test/fhir/R4/Patient?p=2"))

    async with client_for(handler) as hms:
        with pytest.raises(HmsError):
            await hms.find_patients(name="smith")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_client_server_down_raises_unavailable_after_retries():
    port = free_port()  # nothing listens here any more
    async with FhirHmsClient(f"http://127.0.0.1:{port}/fhir/R4", "t", retries=1, backoff=0) as hms:
        with pytest.raises(Unavailable) as err:
            await hms.ping()
    assert "Connect" in str(err.value)  # aiohttp: ClientConnectorError


async def test_client_timeout_raises_unavailable_after_configured_retries():
    attempts = 0
    hold: list[asyncio.StreamWriter] = []

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal attempts
        attempts += 1
        hold.append(writer)  # accept, read, never answer
        await reader.read(1024)

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        base = f"http://127.0.0.1:{port}/fhir/R4"
        async with FhirHmsClient(base, "t", timeout=0.2, retries=2, backoff=0) as hms:
            with pytest.raises(Unavailable) as err:
                await hms.ping()
    finally:
        for writer in hold:
            writer.close()
        server.close()
        await server.wait_closed()
    assert attempts == 3
    assert "Timeout" in str(err.value)


async def test_client_from_settings_uses_base_url_and_token(monkeypatch, tmp_path):
    from assistant.config import get_settings

    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("HMS_BASE_URL", "http://hms.example:9000/fhir/R4/")
    monkeypatch.setenv("HMS_API_TOKEN", "from-env")
    settings = get_settings()
    hms = FhirHmsClient.from_settings(
        settings,
        transport=httpx.MockTransport(
            lambda request: httpx.Response(
                200,
                json={
                    **CAPABILITY,
                    "url": str(request.url),
                    "auth": request.headers["Authorization"],
                },
            )
        ),
    )
    async with hms:
        assert await hms.ping() == "4.0.1"
        seen = (await hms._http.read("metadata")).body
    assert seen["url"] == "http://hms.example:9000/fhir/R4/metadata"
    assert seen["auth"] == "Bearer from-env"


async def test_client_write_without_body_rereads_from_location_header():
    task = {
        "resourceType": "Task",
        "id": "t9",
        "status": "requested",
        "intent": "order",
        "identifier": [{"system": "urn:hms:ticket", "value": "HR-000009"}],
        "meta": {"versionId": "1"},
    }
    prac = {
        "resourceType": "Practitioner",
        "id": "p1",
        "identifier": [{"system": "urn:hms:staff", "value": "n.jones"}],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST":
            return httpx.Response(201, headers={"Location": f"{BASE}/Task/t9/_history/1"})
        if path.endswith("/Task/t9"):
            return httpx.Response(200, json=task)
        if path.endswith("/Practitioner"):
            return httpx.Response(200, json=bundle([prac]))
        return httpx.Response(200, json=bundle([]))

    async with client_for(handler) as hms:
        created = await hms.create_task("it", None, "routine", "printer jam", "n.jones")
    assert (created.id, created.ticket_id) == ("t9", "HR-000009")
