"""The requester's side of the relay (``HandoffService`` inherits it): the gateway's
``HandoffRouter.intercept``, the waiting acknowledgement, withdrawing, emergencies during a
handoff and the rating payload."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from assistant.conversation import Reply
from assistant.handoff.ports import AgentDesk, Bus, Sender
from assistant.handoff.replies import (
    WAITING,
    acknowledgement,
    waiting_reply,
    withdrawn_reply,
)
from assistant.handoff.state import RelayStateStore, card_of, thread_of
from assistant.handoff.tickets import Ticket, TicketNotFound, TicketStateError, TicketStore
from assistant.handoff.withdraw import is_withdrawal, withdrawal_then
from assistant.safety.context import current_level

log = logging.getLogger(__name__)

RATE_PAYLOAD = "/handoff_rate"
THANKS = "Thank you for your feedback."
NOT_RATEABLE = (
    "Sorry, I can only take a rating from 1 to 5 for one of your own help-desk tickets "
    "once the help desk has finished with it."
)


class RequesterSide:
    """Mixin: needs the service's stores, bus, desk and relay helpers (below)."""

    tickets: TicketStore
    state: RelayStateStore
    bus: Bus
    desk: AgentDesk | None

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        raise NotImplementedError

    async def _own(self, topic: str, handler: Any) -> None:
        raise NotImplementedError

    async def _notify_agent(self, ticket: Ticket) -> None:
        raise NotImplementedError

    async def _on_requester_topic(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def intercept(
        self, staff: str, channel: str, conversation: str, text: str
    ) -> list[Reply] | None:
        sender = Sender(channel, staff, conversation)
        if text.startswith(RATE_PAYLOAD):
            return await self._rate_from_payload(sender, text)
        if current_level() == "emergency" or text.strip() == "/emergency":
            return None  # the safety net's /emergency: Rasa ends the form
        ticket: Ticket | None = await self.tickets.active(sender.id)
        if ticket is None:
            return None
        tid = ticket.ticket_id
        await self._db(self.state.ensure, tid)
        if text.strip().startswith("/talk_to_human"):
            return [waiting_reply(WAITING.format(ticket=tid), ticket)]
        if is_withdrawal(text):
            return await self.withdraw(ticket)
        rest = withdrawal_then(text)
        assistant = getattr(self, "assistant", None)
        if rest is not None and assistant is not None:
            # "never mind, any free beds on 4B?": withdrawn, then the request is answered
            withdrawn = await self.withdraw(ticket)
            if withdrawn is not None:
                answer = await assistant.send(
                    staff=staff, channel=channel, conversation=conversation, text=rest
                )
                return [*withdrawn, *answer]
        await self._relay_user(ticket, text)
        first = await self._db(self.state.take_notice, tid)
        return [acknowledgement(ticket, first=first)]

    async def _relay_user(self, ticket: Ticket, text: str) -> None:
        tid = ticket.ticket_id
        await self._db(self.tickets.add_message, tid, "user", text)
        await self._own(f"{tid}:requester", self._on_requester_topic)
        await self._notify_agent(ticket)

    async def withdraw(self, ticket: Ticket) -> list[Reply] | None:
        """The requester withdrew: close the ticket, update the card, back to the assistant."""
        tid = ticket.ticket_id
        try:
            ticket = await self._db(self.tickets.withdraw, tid)
        except TicketStateError:  # closed by the help desk meanwhile: the assistant answers
            return None
        state = await self._db(self.state.ensure, tid)
        if self.desk is not None:
            try:
                await self.desk.withdrawn(ticket, card_of(state), thread_of(state))
            except Exception as exc:  # the requester is back with the assistant regardless
                log.error("updating the card of %s failed: %s", tid, type(exc).__name__)
        for side in ("agent", "requester"):
            await self.bus.unsubscribe(f"{tid}:{side}")
        return [withdrawn_reply(tid)]

    async def emergency(
        self, staff: str, channel: str, conversation: str, text: str, kind: str | None
    ) -> bool:
        """An emergency during a handoff (already answered by the safety net): the message
        is kept and relayed like any other and the card is flagged. False if no ticket."""
        ticket: Ticket | None = await self._db(
            self.tickets.active_for, Sender(channel, staff, conversation).id
        )
        if ticket is None:
            return False
        state = await self._db(self.state.ensure, ticket.ticket_id)
        await self._relay_user(ticket, text)
        if self.desk is not None:
            try:
                await self.desk.emergency(
                    ticket, card_of(state), thread_of(state), kind or "emergency"
                )
            except Exception as exc:
                log.error("flagging %s failed: %s", ticket.ticket_id, type(exc).__name__)
        return True

    async def _rate_from_payload(self, sender: Sender, text: str) -> list[Reply]:
        try:
            data = json.loads(text.removeprefix(RATE_PAYLOAD) or "{}")
            ticket_id, rating = str(data["ticket"]), int(data["rating"])
        except (ValueError, KeyError, TypeError):
            return [Reply("Sorry, I could not read that rating.")]
        # a missing ticket, someone else's, one still open, or a rating out of 1..5 all get
        # the same clear answer (never a 500, never the ticket's text in a log)
        try:
            ticket = await self._db(self.tickets.get, ticket_id)
            if ticket.conversation_id != sender.id:
                return [Reply(NOT_RATEABLE)]
            await self._db(self.tickets.rate, ticket_id, rating)
        except (TicketNotFound, TicketStateError, ValueError) as exc:
            log.info("handoff rating refused: %s", type(exc).__name__)
            return [Reply(NOT_RATEABLE)]
        return [Reply(THANKS)]
