"""Where a Slack conversation lives, and where a turn's replies may go (PHI rules).

Conversation ids: a DM is its channel id (``D123``); a channel thread is
``<channel>-<thread_ts>`` (``C123-1700000000.000100``); ``/hms`` outside a DM is the channel
id (``C123``) with private replies. The Rasa sender id adds the staff member, so
conversations never cross users.

PHI rule (``assistant.conversation.delivery``, shared by every channel): a DM or an
ephemeral message is private; in a channel, a turn with any PHI reply (``custom.phi``) goes
as an ephemeral message to the asker, never as a plain channel post.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.conversation import Reply
from assistant.conversation.delivery import Surface, turn_to_asker_only


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
    return reply.phi


def choose_delivery(place: Place, slack_user: str, replies: Sequence[Reply]) -> Delivery:
    """DMs get posts; channels get posts unless private or the turn carries PHI."""
    if place.is_dm:
        return Delivery(place.channel, place.thread_ts, None)
    if place.private or turn_to_asker_only(replies, Surface.SHARED_CHANNEL):
        return Delivery(place.channel, place.thread_ts, slack_user)
    return Delivery(place.channel, place.thread_ts, None)
