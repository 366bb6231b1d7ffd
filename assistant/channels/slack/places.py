"""Where a Slack conversation lives, and where a turn's replies may go (PHI rules).

Conversation ids: a DM is its channel id (``D123``); a channel thread is
``<channel>-<thread_ts>`` (``C123-1700000000.000100``); ``/hms`` outside a DM is the channel
id (``C123``) with private replies. The Rasa sender id adds the staff member, so
conversations never cross users.

PHI rule: a turn with any PHI reply (``custom.phi``) goes to the DM or as an ephemeral
message to the asker; never a plain channel post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.channels.base import Reply


@dataclass(frozen=True)
class Place:
    channel: str
    thread_ts: str | None = None
    private: bool = False  # every reply ephemeral (slash command in a channel, ephemeral clicks)

    @property
    def is_dm(self) -> bool:
        return self.channel.startswith("D")

    @property
    def conversation(self) -> str:
        return f"{self.channel}-{self.thread_ts}" if self.thread_ts else self.channel

    @classmethod
    def from_conversation(cls, conversation: str, *, private: bool = False) -> Place:
        channel, _, thread = conversation.partition("-")
        return cls(channel=channel, thread_ts=thread or None, private=private)


@dataclass(frozen=True)
class Delivery:
    channel: str
    thread_ts: str | None
    ephemeral_to: str | None  # Slack user id for chat.postEphemeral, else None (a post)


def is_phi(reply: Reply) -> bool:
    custom = reply.custom or {}
    return bool(custom.get("phi"))


def choose_delivery(place: Place, slack_user: str, replies: Sequence[Reply]) -> Delivery:
    """DMs get posts; channels get posts unless private or the turn carries PHI."""
    if place.is_dm:
        return Delivery(place.channel, place.thread_ts, None)
    if place.private or any(is_phi(r) for r in replies):
        return Delivery(place.channel, place.thread_ts, slack_user)
    return Delivery(place.channel, place.thread_ts, None)
