"""Slack implementations of the relay's ports: the help desk (``AgentDesk``) and Slack
requesters (``RequesterChannel``), over a slack_sdk ``AsyncWebClient``.

Relay threads live in the claiming agent's DM by default (``relay_in="dm"``): relayed
messages may carry PHI, and PHI goes to Slack only in DMs or ephemeral messages. With
``relay_in="thread"`` they go in the card's thread in the help-desk channel (only for a
private help-desk channel) and the transcript is ephemeral.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from assistant.conversation import Button, Reply
from assistant.handoff.ports import Agent, Place, Sender
from assistant.handoff.tickets import Ticket

from . import helpdesk_blocks as blocks
from .places import Place as SlackPlace
from .render import fallback_text, render

logger = logging.getLogger(__name__)


class SlackHelpdesk:
    def __init__(
        self,
        client: Any,
        channel: str,
        *,
        oncall: str | None = None,
        relay_in: str = "dm",
        emergency_number: str = "2222",
    ) -> None:
        if relay_in not in ("dm", "thread"):
            raise ValueError("relay_in must be 'dm' or 'thread'")
        self.client = client
        self.channel = channel
        self.oncall = oncall
        self.relay_in = relay_in
        self.emergency_number = emergency_number

    async def _post(self, **kwargs: Any) -> Place:
        response = await self.client.chat_postMessage(**kwargs)
        return Place(str(response["channel"]), str(response["ts"]))

    async def _dm(self, user: str) -> str:
        opened = await self.client.conversations_open(users=user)
        return str(opened["channel"]["id"])

    async def announce(self, ticket: Ticket) -> Place:
        return await self._post(
            channel=self.channel, text=blocks.card_text(ticket), blocks=blocks.card_blocks(ticket)
        )

    async def remind(self, ticket: Ticket, card: Place | None) -> None:
        text = f":hourglass: {ticket.ticket_id} is still waiting for someone to claim it."
        kwargs: dict[str, Any] = {"channel": self.channel, "text": text}
        if card is not None:
            kwargs.update(thread_ts=card.ts, reply_broadcast=True)
        else:
            kwargs["blocks"] = blocks.card_blocks(ticket, note=text)
        await self._post(**kwargs)

    async def escalate(self, ticket: Ticket, card: Place | None) -> None:
        text = f":rotating_light: {ticket.ticket_id} is unclaimed: escalated to on-call."
        if self.oncall:
            dm = await self._dm(self.oncall)
            await self._post(
                channel=dm,
                text=f"{text} {blocks.card_text(ticket)}",
                blocks=blocks.card_blocks(ticket, note=text),
            )
            text = f":rotating_light: {ticket.ticket_id} escalated to <@{self.oncall}>."
        else:
            text = f"<!here> {text} (no on-call agent configured: HANDOFF_ONCALL_SLACK_ID)"
        kwargs: dict[str, Any] = {"channel": self.channel, "text": text}
        if card is not None:
            kwargs.update(thread_ts=card.ts, reply_broadcast=True)
        await self._post(**kwargs)

    async def claimed(self, ticket: Ticket, card: Place | None, agent: Agent) -> Place:
        if card is not None:
            await self.client.chat_update(
                channel=card.channel,
                ts=card.ts,
                text=f"{ticket.ticket_id} claimed by {agent.username}",
                blocks=blocks.claimed_blocks(ticket, agent.ref),
            )
        head = (
            f"You claimed {ticket.ticket_id} ({ticket.requester}, {ticket.channel}). "
            "Reply in this thread to talk to them."
        )
        header = [
            {"type": "section", "text": {"type": "mrkdwn", "text": head}},
            blocks.controls(ticket.ticket_id),
        ]
        if self.relay_in == "thread" and card is not None:
            await self._post(channel=card.channel, thread_ts=card.ts, text=head, blocks=header)
            return Place(card.channel, card.ts)  # agents reply in the card's thread
        dm = await self._dm(agent.ref)
        return await self._post(channel=dm, text=head, blocks=header)

    async def show_transcript(
        self, ticket: Ticket, agent: Agent, messages: Sequence[dict[str, str]]
    ) -> None:
        text = blocks.transcript_text(ticket, messages)
        if self.relay_in == "thread":
            await self.client.chat_postEphemeral(channel=self.channel, user=agent.ref, text=text)
            return
        dm = await self._dm(agent.ref)
        await self._post(channel=dm, text=text)

    async def relay(self, ticket: Ticket, thread: Place, text: str) -> None:
        await self._post(
            channel=thread.channel, thread_ts=thread.ts, text=f"*{ticket.requester}:* {text}"
        )

    async def closed(
        self, ticket: Ticket, card: Place | None, thread: Place | None, agent: Agent
    ) -> None:
        how = "resolved" if ticket.status == "resolved" else "returned to the assistant"
        if card is not None:
            await self.client.chat_update(
                channel=card.channel,
                ts=card.ts,
                text=f"{ticket.ticket_id} {how}",
                blocks=blocks.closed_blocks(ticket, agent.ref),
            )
        if thread is not None and (card is None or thread.ts != card.ts):
            await self._post(
                channel=thread.channel,
                thread_ts=thread.ts,
                text=f"{ticket.ticket_id} {how} by {agent.username}.",
            )

    async def withdrawn(self, ticket: Ticket, card: Place | None, thread: Place | None) -> None:
        if card is not None:
            await self.client.chat_update(
                channel=card.channel,
                ts=card.ts,
                text=f"{ticket.ticket_id} withdrawn by the requester",
                blocks=blocks.withdrawn_blocks(ticket),
            )
        if thread is not None and (card is None or thread.ts != card.ts):
            await self._post(
                channel=thread.channel,
                thread_ts=thread.ts,
                text=f"{ticket.requester} withdrew {ticket.ticket_id}: no longer needs help.",
            )

    async def emergency(
        self, ticket: Ticket, card: Place | None, thread: Place | None, kind: str
    ) -> None:
        text = blocks.emergency_text(ticket, kind.replace("_", " "), self.emergency_number)
        kwargs: dict[str, Any] = {"channel": self.channel, "text": text}
        if card is not None:
            kwargs.update(thread_ts=card.ts, reply_broadcast=True)
        await self._post(**kwargs)
        if thread is not None and (card is None or thread.ts != card.ts):
            await self._post(channel=thread.channel, thread_ts=thread.ts, text=text)


class SlackRequester:
    """Delivers help-desk messages to a Slack requester's conversation (their DM)."""

    def __init__(self, client: Any, directory: Any = None) -> None:
        self.client = client
        self.directory = directory  # HMS staff lookup (email) for non-DM conversations

    async def deliver(self, sender: Sender, text: str, buttons: Sequence[Button] = ()) -> None:
        place = SlackPlace.from_conversation(sender.conversation)
        replies = [Reply(text, tuple(buttons))]
        kwargs: dict[str, Any] = {"text": fallback_text(replies)}
        rendered = render(replies, place.conversation, private=not place.is_dm)
        if rendered:
            kwargs["blocks"] = rendered
        if place.thread_ts:
            kwargs["thread_ts"] = place.thread_ts
        if place.is_dm:
            await self.client.chat_postMessage(channel=place.channel, **kwargs)
            return
        user = await self._slack_user(sender.staff)
        if user is None:  # never post help-desk text (may hold PHI) publicly
            logger.warning("cannot find the requester's Slack user; message kept on ticket")
            return
        await self.client.chat_postEphemeral(channel=place.channel, user=user, **kwargs)

    async def _slack_user(self, staff: str) -> str | None:
        if self.directory is None:
            return None
        try:
            found = await self.directory.find_staff(username=staff)
            email = getattr(found[0], "email", None) if found else None
            if not email:
                return None
            response = await self.client.users_lookupByEmail(email=email)
            return str(response["user"]["id"])
        except Exception as exc:
            logger.warning("requester lookup failed: %s", type(exc).__name__)
            return None
