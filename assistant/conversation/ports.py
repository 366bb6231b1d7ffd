"""The conversational back end as every channel sees it."""

from __future__ import annotations

from typing import Protocol

from assistant.conversation.replies import Reply


class Assistant(Protocol):
    """The conversational back end as seen by a channel.

    ``staff`` is the verified HMS username, ``channel`` one of rest/slack/kiosk/cli and
    ``conversation`` a channel-specific id (e.g. Slack DM or thread). The implementation
    signs the principal, routes the conversation to one Rasa worker, and (when the
    conversation is handed off to the help desk) relays to the human instead.
    """

    async def send(
        self, *, staff: str, channel: str, conversation: str, text: str
    ) -> list[Reply]: ...
