"""Ports of the handoff relay: the help-desk side, the requester side, and the bus.

The relay (``relay.HandoffService``) is channel-agnostic: the Slack help desk implements
``AgentDesk`` (``assistant/channels/slack/helpdesk_desk.py``), each requester channel a
``RequesterChannel`` (Slack DM; kiosk and REST read an ``Inbox``), and ``Bus`` carries
relay notices between gateway workers (in-process or Redis pub/sub).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.conversation import Button
from assistant.handoff.tickets import Ticket


class HandoffError(Exception):
    """Base class of relay errors (ticket errors are ``assistant.handoff.TicketError``)."""


class NotAllowed(HandoffError):
    """The agent may not do this (no ``handoff:claim`` permission, or not the claimer)."""


@dataclass(frozen=True)
class Sender:
    """A requester's conversation: the Rasa sender id ``<channel>:<staff>:<conversation>``."""

    channel: str
    staff: str
    conversation: str

    @property
    def id(self) -> str:
        return f"{self.channel}:{self.staff}:{self.conversation}"

    @classmethod
    def parse(cls, sender_id: str) -> Sender:
        channel, staff, conversation = (sender_id.split(":", 2) + ["", ""])[:3]
        return cls(channel, staff, conversation)


@dataclass(frozen=True)
class Agent:
    """A help-desk agent as the help-desk side identified them."""

    ref: str  # id on the help-desk side (Slack user id)
    username: str  # HMS username
    roles: frozenset[str]

    @property
    def role(self) -> str:
        return "helpdesk" if "helpdesk" in self.roles else ",".join(sorted(self.roles)) or "none"


@dataclass(frozen=True)
class Place:
    """Where something was posted on the help-desk side (channel + message ts)."""

    channel: str
    ts: str


class AgentDesk(Protocol):
    """The help-desk side (Slack help-desk channel)."""

    async def announce(self, ticket: Ticket) -> Place:
        """Post the ticket's card (summary only: no PHI) with a Claim button."""
        ...

    async def remind(self, ticket: Ticket, card: Place | None) -> None: ...

    async def escalate(self, ticket: Ticket, card: Place | None) -> None: ...

    async def claimed(self, ticket: Ticket, card: Place | None, agent: Agent) -> Place:
        """Mark the card claimed; open and return the agent's relay thread."""
        ...

    async def show_transcript(
        self, ticket: Ticket, agent: Agent, messages: Sequence[dict[str, str]]
    ) -> None:
        """Show the full transcript to the claiming agent only (ephemeral or DM)."""
        ...

    async def relay(self, ticket: Ticket, thread: Place, text: str) -> None:
        """Post one requester message in the agent's relay thread."""
        ...

    async def closed(
        self, ticket: Ticket, card: Place | None, thread: Place | None, agent: Agent
    ) -> None:
        """Update the card (and thread) after Return to assistant or Resolve."""
        ...

    async def withdrawn(self, ticket: Ticket, card: Place | None, thread: Place | None) -> None:
        """Update the card (and tell the claimer) after the requester withdrew."""
        ...

    async def emergency(
        self, ticket: Ticket, card: Place | None, thread: Place | None, kind: str
    ) -> None:
        """Flag on the card that the requester's message was an emergency (no PHI: the kind
        only; the message itself is relayed to the claimer as usual)."""
        ...


class RequesterChannel(Protocol):
    """Delivers text (and buttons) to the requester's conversation on one channel."""

    async def deliver(self, sender: Sender, text: str, buttons: Sequence[Button] = ()) -> None: ...


Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Bus(Protocol):
    """Relay transport between gateway workers: pub/sub topics and keys with expiry."""

    async def publish(self, topic: str, message: dict[str, Any]) -> int:
        """Send to the topic's subscribers; returns how many received it."""
        ...

    async def subscribe(self, topic: str, handler: Handler) -> None: ...

    async def unsubscribe(self, topic: str) -> None: ...

    def subscribed(self) -> frozenset[str]: ...

    async def lease(self, key: str, owner: str, ttl: float) -> bool:
        """Take or renew ``key`` for ``owner`` for ``ttl`` seconds; False if someone else has it."""
        ...

    async def once(self, key: str, ttl: float) -> bool:
        """True the first time ``key`` is seen within ``ttl`` seconds (SET NX EX)."""
        ...

    async def incr(self, key: str, ttl: float) -> int: ...

    async def delete(self, key: str) -> None: ...

    async def aclose(self) -> None: ...
