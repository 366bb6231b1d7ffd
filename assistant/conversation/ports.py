"""The conversational back end as every channel sees it."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol

from assistant.conversation.replies import Reply

# The id of the message being handled, when its channel has one (the REST caller's
# ``message_id``, the load balancer's request id): a retry of the same message carries the
# same id, and Rasa answers it from the first attempt instead of running it twice.
current_message_id: ContextVar[str | None] = ContextVar("current_message_id", default=None)


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
