"""One conversational turn: who is asking -> the assistant -> replies in the right place."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

from assistant.conversation import Assistant, Reply

from .identity import Refused, SignedIn, SlackIdentity
from .places import Delivery, Place, choose_delivery
from .ports import RefusalAudit
from .render import fallback_text, render

logger = logging.getLogger(__name__)

CHANNEL = "slack"
UNAVAILABLE = Reply("Sorry, the assistant is not available right now. Please try again shortly.")


class Turns:
    def __init__(
        self, *, assistant: Assistant, identity: SlackIdentity, audit: RefusalAudit
    ) -> None:
        self.assistant = assistant
        self.identity = identity
        self.audit = audit

    async def who(self, client: Any, slack_user: str) -> SignedIn | None:
        """The signed-in staff member, or None after refusing (answer + audit event)."""
        identity = await self.identity.resolve(client, slack_user)
        if isinstance(identity, SignedIn):
            return identity
        await self._refuse(identity)
        return None

    async def _refuse(self, refused: Refused) -> None:
        logger.info("slack user %s refused: %s", refused.slack_user, refused.reason)
        try:
            await self.audit.refused(
                slack_user=refused.slack_user, reason=refused.reason, staff=refused.staff
            )
        except Exception as exc:  # the refusal itself must still be answered
            logger.error("audit of slack refusal failed: %s", type(exc).__name__)

    async def handle(self, client: Any, slack_user: str, text: str, place: Place) -> None:
        """Resolve the user, ask the assistant, and deliver the answer."""
        identity = await self.identity.resolve(client, slack_user)
        if isinstance(identity, Refused):
            await self._refuse(identity)
            private = dataclasses.replace(place, private=True)  # refusals are never public
            await self.deliver(client, private, slack_user, [Reply(identity.message)])
            return
        await self.ask(client, identity, text, place)

    async def ask(self, client: Any, who: SignedIn, text: str, place: Place) -> None:
        try:
            replies = await self.assistant.send(
                staff=who.username, channel=CHANNEL, conversation=place.conversation, text=text
            )
        except Exception as exc:
            logger.error("assistant call failed: %s", type(exc).__name__)
            replies = [UNAVAILABLE]
        if replies:
            await self.deliver(client, place, who.slack_user, replies)

    async def deliver(
        self, client: Any, place: Place, slack_user: str, replies: Sequence[Reply]
    ) -> Delivery:
        where = choose_delivery(place, slack_user, replies)
        private = where.ephemeral_to is not None
        blocks = render(replies, place.conversation, private=private or place.private)
        kwargs: dict[str, Any] = {"channel": where.channel, "text": fallback_text(replies)}
        if blocks:
            kwargs["blocks"] = blocks
        if where.thread_ts:
            kwargs["thread_ts"] = where.thread_ts
        if private:
            await client.chat_postEphemeral(user=where.ephemeral_to, **kwargs)
        else:
            await client.chat_postMessage(**kwargs)
        return where
