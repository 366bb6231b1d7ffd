"""Assertion helpers for the HMS tests (FHIR validation of outgoing JSON)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Acting-Staff": "s.ali"}


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """Validate outgoing JSON with the fhir.resources R4B model of its type; return it."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource


def entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    valid(bundle)
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def ids(bundle: dict[str, Any]) -> list[str]:
    return [r["id"] for r in entries(bundle)]


def outcome(response: Any, status: int) -> str:
    """Assert an OperationOutcome with ``status``; return its diagnostics."""
    assert response.status_code == status, response.text
    body = valid(response.json())
    assert body["resourceType"] == "OperationOutcome"
    return str(body["issue"][0]["diagnostics"])


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0, proc: Any = None) -> None:
    """Poll ``url`` until it answers 200 (fail early if ``proc`` exits)."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)
