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

import httpx

from assistant.gateway.rasa_api import RasaApi

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
        self._api = RasaApi(workers, token, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._api.aclose()

    async def read(self, sender: str, text: str) -> Reading | None:
        return reading_of(await self._api.call("POST", sender, "/model/parse", json={"text": text}))

    async def form_active(self, sender: str) -> bool | None:
        body = await self._api.tracker(sender)
        if body is None:
            return None
        loop = body.get("active_loop")
        return bool(isinstance(loop, dict) and loop.get("name"))
