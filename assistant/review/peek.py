"""Reads the NLU result of a conversation's latest message from Rasa's tracker API.

Rasa's REST channel output carries no NLU result, so the gateway asks the same worker
that served the conversation: ``GET /conversations/<sender>/tracker?include_events=NONE``
on Rasa's token-protected HTTP API (``--enable-api --auth-token``). Only intent names and
confidences and entity *types* are taken (never entity values: they may be PHI).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from assistant.gateway.rasa import pick_worker

log = logging.getLogger(__name__)
TOP = 3
FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float


@dataclass(frozen=True)
class NluResult:
    predictions: tuple[Prediction, ...]
    entity_types: tuple[str, ...]


def parse_latest(latest: Any, top: int = TOP) -> NluResult:
    """``tracker.latest_message`` -> the top intents (``nlu_fallback`` left out)."""
    if not isinstance(latest, dict):
        return NluResult((), ())
    ranking = latest.get("intent_ranking") or [latest.get("intent") or {}]
    predictions = []
    for item in ranking:
        if not isinstance(item, dict):
            continue
        name, confidence = item.get("name"), item.get("confidence")
        if not isinstance(name, str) or name == FALLBACK_INTENT:
            continue
        if not isinstance(confidence, int | float):
            continue
        predictions.append(Prediction(name, round(float(confidence), 4)))
    entities = sorted(
        {str(e.get("entity")) for e in latest.get("entities") or [] if isinstance(e, dict)}
    )
    return NluResult(tuple(predictions[:top]), tuple(e for e in entities if e != "None"))


class TrackerNlu:
    """``await latest(sender)``: the NLU result Rasa stored for the sender's last message."""

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

    async def latest(self, sender: str) -> NluResult | None:
        if not self._token or not self._workers:
            return None
        worker = pick_worker(self._workers, sender)
        # ":" stays as it is: Rasa (Sanic) does not unquote %3A in the path
        url = f"{worker}/conversations/{quote(sender, safe=':@')}/tracker"
        try:
            response = await self._client.get(
                url, params={"include_events": "NONE", "token": self._token}
            )
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("NLU result not read from Rasa: %s", type(exc).__name__)
            return None
        if not isinstance(body, dict) or body.get("sender_id") != sender:
            log.warning("NLU result not read from Rasa: the tracker is another conversation's")
            return None
        return parse_latest(body.get("latest_message"))
