"""``RasaClauseReader``: the ``ClauseReader`` over the Rasa workers' HTTP API.

Both answers come from the token-protected API (``--enable-api``, the ``RASA_AUTH_TOKEN``
the gateway already holds): ``POST /model/parse`` reads a text without touching any
conversation, ``GET /conversations/<sender>/tracker`` says whether a form is active (on
the sender's worker, which holds its tracker). No text or entity value is logged (PHI).
Any failure answers ``None``: the message is then read whole.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from assistant.gateway.rasa import worker_order

from .reading import Reading, reading_of

log = logging.getLogger(__name__)


class RasaClauseReader:
    """``ClauseReader`` over the Rasa workers' HTTP API (the sender's worker first)."""

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
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def read(self, sender: str, text: str) -> Reading | None:
        body = await self._call("POST", sender, "/model/parse", json={"text": text})
        return reading_of(body)

    async def form_active(self, sender: str) -> bool | None:
        # ":" stays as it is: Rasa (Sanic) does not unquote %3A in the path
        path = f"/conversations/{quote(sender, safe=':@')}/tracker"
        body = await self._call("GET", sender, path, params={"include_events": "NONE"})
        if not isinstance(body, dict) or body.get("sender_id") != sender:
            return None
        loop = body.get("active_loop")
        return bool(isinstance(loop, dict) and loop.get("name"))

    async def _call(self, method: str, sender: str, path: str, **kwargs: Any) -> Any:
        if not self._token or not self._workers:
            return None
        params = {**kwargs.pop("params", {}), "token": self._token}
        for worker in worker_order(self._workers, sender):
            try:
                response = await self._client.request(
                    method, worker + path, params=params, **kwargs
                )
                response.raise_for_status()
                return response.json()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("clause reading from %s failed: %s", worker, type(exc).__name__)
        return None
