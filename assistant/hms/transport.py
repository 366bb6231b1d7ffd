"""HTTP layer of the HMS client: auth headers, retries for reads, error mapping, paging.

Reads (GET) are retried on connection errors, timeouts and 502/503/504 with a short
exponential backoff; writes are never retried (a lost reply may hide a committed write).
Logs carry method, path and status only: never query strings (they can hold MRNs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from yarl import URL

from assistant.wire import WireError, WireReply, same_origin, wire

from .errors import Conflict, Forbidden, HmsError, Invalid, NotFound, Unavailable

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
RETRY_STATUSES = frozenset({502, 503, 504})
MAX_PAGES = 50

Json = dict[str, Any]


@dataclass(frozen=True)
class Response:
    status: int
    body: Json
    etag: str | None
    location: str | None


def outcome_text(body: Any) -> str:
    """The diagnostics of an OperationOutcome (issue diagnostics or details.text), joined."""
    if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
        return ""
    texts = []
    for issue in body.get("issue") or []:
        text = issue.get("diagnostics") or (issue.get("details") or {}).get("text")
        if text:
            texts.append(str(text))
    return "; ".join(texts)


def error_for(status: int, body: Any, what: str) -> HmsError:
    diagnostics = outcome_text(body)
    kinds: dict[int, type[HmsError]] = {
        400: Invalid,
        422: Invalid,
        401: Forbidden,
        403: Forbidden,
        404: NotFound,
        410: NotFound,
        409: Conflict,
        412: Conflict,
    }
    kind = kinds.get(status, Unavailable if status >= 500 else HmsError)
    return kind(f"HMS {what} failed with HTTP {status}", status=status, diagnostics=diagnostics)


def version_of(etag: str | None) -> str | None:
    """``W/"3"`` -> ``3``."""
    if not etag:
        return None
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"') or None


def if_match(version: str | None) -> dict[str, str]:
    return {"If-Match": f'W/"{version}"'} if version else {}


class FhirHttp:
    """One pooled client (``assistant.wire``: aiohttp, or httpx with a given transport)
    plus the retry/error policy."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.1,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Accept": FHIR_JSON}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.retries = max(0, retries)
        self.backoff = backoff
        self.base_url = base_url.rstrip("/") + "/"
        self.client = wire(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Json | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        send_headers = dict(headers or {})
        if json is not None:
            send_headers["Content-Type"] = FHIR_JSON
        what = f"{method} {path.split('?', 1)[0]}"
        attempts = 1 + (self.retries if method == "GET" else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                reply = await self.client.request(
                    method, path, params=params, json=json, headers=send_headers
                )
            except WireError as exc:  # refused, reset, timed out: no HTTP answer
                log.warning("HMS %s: %s (attempt %d)", what, exc.kind, attempt + 1)
                if last:
                    raise Unavailable(f"HMS {what} failed: {exc.kind}") from exc
            else:
                if reply.status in RETRY_STATUSES and not last:
                    log.warning("HMS %s: HTTP %d (attempt %d)", what, reply.status, attempt + 1)
                else:
                    return self._finish(reply, what)
            await asyncio.sleep(self.backoff * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _finish(reply: WireReply, what: str) -> Response:
        try:
            body = reply.json() if reply.content else {}
        except ValueError:
            body = {}
        if reply.status >= 400:
            log.info("HMS %s: HTTP %d", what, reply.status)
            raise error_for(reply.status, body, what)
        if not isinstance(body, dict):
            raise HmsError(f"HMS {what} returned a non-object body", status=reply.status)
        return Response(
            reply.status, body, reply.headers.get("ETag"), reply.headers.get("Location")
        )

    async def read(self, path: str, params: Mapping[str, Any] | None = None) -> Response:
        return await self.request("GET", path, params=params)

    async def search(
        self, resource: str, params: Mapping[str, Any] | None = None, *, include: bool = False
    ) -> AsyncGenerator[Json, None]:
        """Yield the matched resources of a search, following Bundle ``next`` links (with
        ``include``, also the resources ``_include`` brought along)."""
        path: str = resource
        query: Mapping[str, Any] | None = params
        for _ in range(MAX_PAGES):
            bundle = (await self.read(path, query)).body
            if bundle.get("resourceType") != "Bundle":
                raise HmsError(f"HMS search {resource} did not return a Bundle")
            for entry in bundle.get("entry") or []:
                res = entry.get("resource")
                mode = (entry.get("search") or {}).get("mode", "match")
                if not isinstance(res, dict):
                    continue
                if (res.get("resourceType") == resource and mode == "match") or (
                    include and mode == "include"
                ):
                    yield res
            nxt = next(
                (lk.get("url") for lk in bundle.get("link") or [] if lk.get("relation") == "next"),
                None,
            )
            if not nxt:
                return
            url = str(URL(self.base_url).join(URL(nxt)))
            if not same_origin(url, self.base_url):
                # never send the bearer token to another origin
                raise HmsError(f"HMS search {resource} links to another server")
            path, query = url, None

    async def search_all(
        self, resource: str, params: Mapping[str, Any] | None = None
    ) -> list[Json]:
        return [res async for res in self.search(resource, params)]
