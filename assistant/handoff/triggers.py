"""Handoff triggers seen from the gateway: a ticket just opened, or two fallbacks in a row.

``talk_to_human`` (typed, a help-desk button, the kiosk's "call the help desk" button
sending ``/talk_to_human``, or the offer after an HMS outage ``*_unavailable``) runs the
``action_talk_to_human`` action, which opens the ticket; its reply
(``custom.kind == "talk_to_human_success"``, ``custom.data.ticket_id``) makes the gateway
post the help-desk card at once (the timer posts it anyway if this is missed).

Two fallback replies in a row (Rasa's ``utter_ask_rephrase``/``utter_default`` texts, read
from ``domain/dialogue.yml``, or ``custom.kind == "nlu_fallback"``) send ``/talk_to_human``
on the user's behalf, so the ticket carries the transcript like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from assistant.conversation import Assistant, Reply
from assistant.conversation.kinds import TicketOpenedData

if TYPE_CHECKING:
    from assistant.handoff.relay import HandoffService

log = logging.getLogger(__name__)

DOMAIN = Path(__file__).resolve().parents[2] / "domain" / "dialogue.yml"
FALLBACK_RESPONSES = ("utter_ask_rephrase", "utter_default")
FALLBACK_KINDS = frozenset({"nlu_fallback", "nlu_fallback_clarify", "fallback"})
OPENED_KIND = "talk_to_human_success"
FALLBACKS_BEFORE_HANDOFF = 2
COUNTER_TTL = 1800.0  # the Rasa session length


def fallback_texts(domain: Path = DOMAIN, names: Iterable[str] = FALLBACK_RESPONSES) -> frozenset:
    """The texts of the fallback responses in the domain (empty if it cannot be read)."""
    try:
        responses = (yaml.safe_load(domain.read_text()) or {}).get("responses") or {}
    except (OSError, yaml.YAMLError):
        log.warning("cannot read fallback responses from %s", domain)
        return frozenset()
    return frozenset(
        str(variant["text"]).strip()
        for name in names
        for variant in responses.get(name) or ()
        if isinstance(variant, dict) and variant.get("text")
    )


def opened_ticket(replies: Sequence[Reply]) -> str | None:
    for reply in replies:
        if reply.kind == OPENED_KIND:
            data = cast(TicketOpenedData, reply.data)
            return str(data.get("ticket_id") or "") or None
    return None


class FallbackWatch:
    """Counts consecutive fallback turns per conversation (on the bus: shared by workers)."""

    def __init__(self, bus: Any, texts: frozenset[str] | None = None) -> None:
        self._bus = bus
        self._texts = fallback_texts() if texts is None else texts

    def is_fallback(self, replies: Sequence[Reply]) -> bool:
        for reply in replies:
            kind = str((reply.custom or {}).get("kind") or "")
            if kind in FALLBACK_KINDS or reply.text.strip() in self._texts:
                return True
        return False

    async def seen(self, sender: str, replies: Sequence[Reply]) -> bool:
        """Record a turn; True when this is the second fallback in a row."""
        key = f"fallbacks:{sender}"
        if not self.is_fallback(replies):
            await self._bus.delete(key)
            return False
        count = await self._bus.incr(key, COUNTER_TTL)
        if count >= FALLBACKS_BEFORE_HANDOFF:
            await self._bus.delete(key)
            return True
        return False


class EscalatingAssistant:
    """Wraps the gateway's assistant: announces new tickets, escalates repeated fallbacks."""

    def __init__(
        self, inner: Assistant, service: HandoffService, watch: FallbackWatch | None = None
    ) -> None:
        self.inner = inner
        self.service = service
        self.watch = watch or FallbackWatch(service.bus)

    def __getattr__(self, name: str) -> Any:  # aclose, workers, handoff... of the inner one
        return getattr(self.inner, name)

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        replies = await self.inner.send(
            staff=staff, channel=channel, conversation=conversation, text=text
        )
        sender = f"{channel}:{staff}:{conversation}"
        if await self.watch.seen(sender, replies):
            log.info("two fallbacks in a row: handing the conversation to the help desk")
            replies = list(replies) + await self.inner.send(
                staff=staff, channel=channel, conversation=conversation, text="/talk_to_human"
            )
        ticket = opened_ticket(replies)
        if ticket:
            try:
                await self.service.announce(ticket)
            except Exception as exc:  # the timer retries; the user still gets the answer
                log.error("announcing %s failed: %s", ticket, type(exc).__name__)
        return replies
