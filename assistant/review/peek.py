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

import httpx

from assistant.gateway.rasa_api import RasaApi

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
    """``await latest(sender)``: the NLU result Rasa stored for the sender's last message
    (asked of the worker that served the conversation only)."""

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

    async def latest(self, sender: str) -> NluResult | None:
        body = await self._api.tracker(sender, any_worker=False)
        if body is None:
            return None
        return parse_latest(body.get("latest_message"))
