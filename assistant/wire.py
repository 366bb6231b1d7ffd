"""``Wire``: the HTTP client of the two hops every staff message takes inside the stack
(gateway -> Rasa worker, action server -> HMS).

A pooled ``aiohttp`` session does those requests: measured here (``bench/http_clients.py``)
an ``httpx.AsyncClient`` request costs ~0.65 ms of CPU against ~0.2 ms for ``aiohttp``
(~0.45 with ``httpx`` over an ``aiohttp`` transport), and at 20 conversations at once every
millisecond of CPU per message is latency on a 2-core machine. When a caller hands in an
``httpx`` transport (the tests' ``httpx.MockTransport``, a tool's own transport), the same
requests go through ``httpx`` with it instead (``HttpxWire``): one interface, two clients.

Errors are the wire's own, so callers decide once what each means:
``Unreachable`` - the request did not get an answer because the connection failed (refused,
reset, closed mid-reply): for an idempotent request, or one the server de-duplicates, another
attempt or another server may answer it; ``Timeout`` - no answer within the timeout (the
server may still be working on it); ``WireError`` - anything else (bad URL, protocol error).

The aiohttp session is made on first use in the running event loop (one per loop) and keeps
idle connections ``KEEPALIVE_SECONDS``, shorter than the servers' keep-alive (uvicorn and
Sanic: 5 s), so a pooled connection is not reused just as its server closes it.

An outbound proxy is taken from the environment as httpx (and curl) take it:
``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` with ``NO_PROXY`` (an external FHIR server
reached through the hospital's proxy); loopback hosts never go through one. It is read once
per host (aiohttp's own ``trust_env`` looks the environment and ``~/.netrc`` up again in a
worker thread on every request).
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from yarl import URL

if TYPE_CHECKING:  # httpx only when a caller brings a transport
    import httpx

KEEPALIVE_SECONDS = 3.0
POOL_SIZE = 100

Params = Mapping[str, Any]


class WireError(Exception):
    """The request failed without an HTTP answer. ``kind``: the client's own error class
    name (``ConnectError``, ``ServerDisconnectedError``...; no URL, no query: PHI)."""

    @property
    def kind(self) -> str:
        return str(self.args[0]) if self.args else type(self).__name__


class Unreachable(WireError):
    """Connection refused, reset or closed before the answer was complete."""


class Timeout(WireError):
    """No answer within the timeout."""


@dataclass(frozen=True)
class WireReply:
    status: int
    content: bytes
    headers: Mapping[str, str]  # case-insensitive

    def json(self) -> Any:
        """The body as JSON (``ValueError`` when it is not)."""
        return jsonlib.loads(self.content)


class Wire(Protocol):
    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> WireReply: ...

    async def aclose(self) -> None: ...


def query_pairs(params: Params) -> list[tuple[str, str]]:
    """``params`` as query pairs, the way httpx writes them: a list or tuple value is one
    pair per item, ``True``/``False`` are ``true``/``false``, ``None`` is empty."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            pairs.append((key, _text(item)))
    return pairs


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def join(base: str, path: str) -> str:
    """``path`` under ``base`` as httpx's ``base_url`` does it: an absolute URL stays as it
    is, anything else is appended to the base's path (a leading ``/`` included)."""
    if "://" in path or not base:
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def env_proxy(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy the environment names for ``url`` (``None``: go direct)."""
    target = URL(url)
    host = target.host or ""
    if host in LOOPBACK or host.startswith("127."):
        return None
    found = (
        urllib.request.getproxies_environment()
        if environ is None
        else {
            k.lower().removesuffix("_proxy"): v
            for k, v in environ.items()
            if k.lower().endswith("_proxy") and v
        }
    )
    no_proxy = found.pop("no", "")
    if no_proxy == "*" or _bypassed(host, target.port, no_proxy):
        return None
    return found.get(target.scheme) or found.get("all") or None


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    for entry in (e.strip().lower() for e in no_proxy.split(",") if e.strip()):
        name, _, only_port = entry.partition(":")
        if only_port and port is not None and only_port != str(port):
            continue
        name = name.lstrip(".").removeprefix("*.")
        if host == name or host.endswith("." + name):
            return True
    return False


class AiohttpWire:
    """Requests over one pooled aiohttp session per event loop."""

    def __init__(
        self,
        *,
        timeout: float,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._headers = dict(headers or {})
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._proxies: dict[tuple[str, str | None, int | None], str | None] = {}

    def _proxy(self, target: URL) -> str | None:
        origin = (target.scheme, target.host, target.port)
        if origin not in self._proxies:
            self._proxies[origin] = env_proxy(str(target))
        return self._proxies[origin]

    def _current(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=POOL_SIZE, keepalive_timeout=KEEPALIVE_SECONDS, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                headers=self._headers,
                auto_decompress=True,
                trust_env=False,
            )
            self._loop = loop
        return self._session

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> WireReply:
        session = self._current()
        try:
            target = URL(join(self.base_url, url))
            async with session.request(
                method,
                target,
                params=query_pairs(params) if params else None,
                json=json,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy(target),
            ) as reply:
                content = await reply.read()
                return WireReply(reply.status, content, reply.headers)
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError too
            raise Timeout(type(exc).__name__) from exc
        except (
            aiohttp.ClientConnectionError,  # refused, reset, server disconnected
            aiohttp.ClientPayloadError,  # closed mid-body
        ) as exc:
            raise Unreachable(type(exc).__name__) from exc
        except (aiohttp.ClientError, ValueError) as exc:  # ValueError: not a URL
            raise WireError(type(exc).__name__) from exc

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            try:
                await session.close()
            except RuntimeError:  # made in an event loop that is gone
                pass


class HttpxWire:
    """The same requests through ``httpx`` with a caller's transport."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        *,
        timeout: float,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        import httpx

        self.base_url = base_url
        self._httpx = httpx
        self._client = httpx.AsyncClient(
            timeout=timeout, transport=transport, headers=dict(headers or {})
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> WireReply:
        httpx = self._httpx
        target = join(self.base_url, url)
        try:
            reply = await self._client.request(
                method,
                target,
                params=httpx.QueryParams(query_pairs(params)) if params else None,
                json=json,
                headers=headers,
            )
        except httpx.TimeoutException as exc:
            raise Timeout(type(exc).__name__) from exc
        except (
            httpx.ConnectError,
            httpx.RemoteProtocolError,
            httpx.ReadError,
            httpx.WriteError,
        ) as exc:
            raise Unreachable(type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            raise WireError(type(exc).__name__) from exc
        return WireReply(reply.status_code, reply.content, reply.headers)

    async def aclose(self) -> None:
        await self._client.aclose()


def wire(
    *,
    timeout: float,
    base_url: str = "",
    headers: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Wire:
    """aiohttp, or httpx with ``transport`` when one is given."""
    if transport is not None:
        return HttpxWire(transport, timeout=timeout, base_url=base_url, headers=headers)
    return AiohttpWire(timeout=timeout, base_url=base_url, headers=headers)


def same_origin(a: str, b: str) -> bool:
    """Scheme, host and port alike (default ports filled in)."""
    ua, ub = URL(a), URL(b)
    return (ua.scheme, ua.host, ua.port) == (ub.scheme, ub.host, ub.port)
