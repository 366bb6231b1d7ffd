"""Handoff triggers seen from the gateway: a ticket just opened.

``talk_to_human`` (typed, a help-desk button, the kiosk's "call the help desk" button
sending ``/talk_to_human``, the help desk offered after repeated misunderstandings, or the
offer after an HMS outage ``*_unavailable``) runs the ``action_talk_to_human`` action,
which opens the ticket; its reply (``custom.kind == "talk_to_human_success"``,
``custom.data.ticket_id``) makes the gateway post the help-desk card at once (the timer
posts it anyway if this is missed).

Messages the assistant does not understand never open a ticket by themselves: the
fallback answers offer the help desk as a button (``actions/fallback.py``), and a person
is reached only when the user asks or presses it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from assistant.conversation import Assistant, Reply
from assistant.conversation.kinds import TicketOpenedData

if TYPE_CHECKING:
    from assistant.handoff.relay import HandoffService

log = logging.getLogger(__name__)

OPENED_KIND = "talk_to_human_success"


def opened_ticket(replies: Sequence[Reply]) -> str | None:
    for reply in replies:
        if reply.kind == OPENED_KIND:
            data = cast(TicketOpenedData, reply.data)
            return str(data.get("ticket_id") or "") or None
    return None


class EscalatingAssistant:
    """Wraps the gateway's assistant: announces a new ticket to the help desk at once."""

    def __init__(self, inner: Assistant, service: HandoffService) -> None:
        self.inner = inner
        self.service = service

    def __getattr__(self, name: str) -> Any:  # aclose, workers, handoff... of the inner one
        return getattr(self.inner, name)

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        replies = await self.inner.send(
            staff=staff, channel=channel, conversation=conversation, text=text
        )
        ticket = opened_ticket(replies)
        if ticket:
            try:
                await self.service.announce(ticket)
            except Exception as exc:  # the timer retries; the user still gets the answer
                log.error("announcing %s failed: %s", ticket, type(exc).__name__)
        return replies
