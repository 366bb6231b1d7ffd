"""Health of the gateway's dependencies: the HMS, each Rasa worker, the action server.

Each check is a short HTTP GET; a dependency is "down" on a connection error, a timeout
or a non-2xx answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import httpx

from assistant.config import Settings

Check = Callable[[], Awaitable[None]]
TIMEOUT_SECONDS = 2.0


def hms_health_url(base_url: str) -> str:
    """Reference HMS: ``/healthz`` beside ``/fhir/R4``; other FHIR servers: ``/metadata``."""
    base = base_url.rstrip("/")
    if base.endswith("/fhir/R4"):
        return base[: -len("/fhir/R4")] + "/healthz"
    return base + "/metadata"


def action_health_url(action_url: str) -> str:
    """``http://host:5055/webhook`` -> ``http://host:5055/health`` (rasa-sdk)."""
    base = action_url.rstrip("/")
    if base.endswith("/webhook"):
        base = base[: -len("/webhook")]
    return base + "/health"


def http_check(
    url: str, *, timeout: float = TIMEOUT_SECONDS, headers: Mapping[str, str] | None = None
) -> Check:
    async def check() -> None:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url, headers=dict(headers or {}))
            response.raise_for_status()

    return check


def default_checks(settings: Settings) -> dict[str, Check]:
    auth = {"Authorization": f"Bearer {settings.hms_api_token}"} if settings.hms_api_token else {}
    checks: dict[str, Check] = {
        "hms": http_check(hms_health_url(settings.hms_base_url), headers=auth)
    }
    for index, url in enumerate(settings.rasa_urls):
        name = "rasa" if len(settings.rasa_urls) == 1 else f"rasa-{index + 1}"
        checks[name] = http_check(url.rstrip("/") + "/version")
    checks["actions"] = http_check(action_health_url(settings.action_url))
    return checks


async def run_checks(checks: Mapping[str, Check]) -> dict[str, str]:
    """``{name: "ok" | "down: <reason>"}``; run concurrently."""

    async def one(check: Check) -> str:
        try:
            await check()
        except httpx.HTTPStatusError as exc:
            return f"down: HTTP {exc.response.status_code}"
        except (httpx.HTTPError, OSError) as exc:
            return f"down: {type(exc).__name__}"
        return "ok"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[n]) for n in names))
    return dict(zip(names, results, strict=True))
