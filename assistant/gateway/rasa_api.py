"""``RasaApi``: the gateway's client of the Rasa workers' token-protected HTTP API
(``--enable-api``, the ``RASA_AUTH_TOKEN`` the gateway holds), used to read a text's NLU
result (``POST /model/parse``) and a conversation's tracker (``GET
/conversations/<sender>/tracker``) on the sender's worker. No text or entity value is
logged (PHI). Any failure answers ``None``: callers then go on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from assistant.gateway.rasa import worker_order
from assistant.wire import WireError, wire

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


class RasaApi:
    def __init__(
        self,
        workers: Sequence[str],
        token: str,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._workers = tuple(w.rstrip("/") for w in workers)
        self._token = token
        self._client = wire(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(
        self, method: str, sender: str, path: str, *, any_worker: bool = True, **kwargs: Any
    ) -> Any:
        """The JSON answer of the sender's worker (then the others, if ``any_worker``)."""
        if not self._token or not self._workers:
            return None
        params = {**kwargs.pop("params", {}), "token": self._token}
        order = worker_order(self._workers, sender)
        for worker in order if any_worker else order[:1]:
            try:
                response = await self._client.request(
                    method, worker + path, params=params, **kwargs
                )
                if response.status >= 400:
                    raise WireError(f"HTTP {response.status}")
                return response.json()
            except (WireError, ValueError) as exc:
                log.warning(
                    "Rasa API %s %s on %s failed: %s",
                    method,
                    path.split("/")[1],
                    worker,
                    exc.kind if isinstance(exc, WireError) else type(exc).__name__,
                )
        return None

    async def tracker(self, sender: str, *, any_worker: bool = True) -> dict[str, Any] | None:
        """The sender's tracker without its events, or ``None`` (also when the answer is
        another conversation's)."""
        # ":" stays as it is: Rasa (Sanic) does not unquote %3A in the path
        path = f"/conversations/{quote(sender, safe=':@')}/tracker"
        body = await self.call(
            "GET", sender, path, any_worker=any_worker, params={"include_events": "NONE"}
        )
        if not isinstance(body, dict) or body.get("sender_id") != sender:
            return None
        return body
