"""What every channel uses to talk to the assistant, independent of Rasa details."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

# The id of the message being handled, when its channel has one (the REST caller's
# ``message_id``, the load balancer's request id): a retry of the same message carries the
# same id, and Rasa answers it from the first attempt instead of running it twice.
current_message_id: ContextVar[str | None] = ContextVar("current_message_id", default=None)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        if self.custom:
            out["custom"] = self.custom
        return out


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
