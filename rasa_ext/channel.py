"""The gateway's input channel into Rasa: ``POST /webhooks/gateway/webhook``.

Rasa's stock REST channel accepts a message into any conversation from anyone who can
reach the port. This channel is the only one the stack enables (``credentials.yml``) and
it answers ``401`` unless the request carries the gateway's credential
(``Authorization: Bearer <RASA_WEBHOOK_TOKEN>``; the token comes from the environment the
launcher gives Rasa, never from a file or the command line).

It also makes a turn safe to send twice. The gateway gives every message an id and sends
the same id again when it retries (its Rasa worker died mid-turn, or the load balancer
replayed the request on another gateway after a gateway died). Under the conversation's
lock, a message id already in the tracker is not processed again: the replies that turn
produced are sent back instead, so a retry never books twice. A turn that fails inside
Rasa answers ``503`` with ``Retry-After`` (stock Rasa answers ``200 []`` and logs the
message text); nothing of the message is logged here.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_ext.tracker_store import one_turn

log = logging.getLogger(__name__)

TOKEN_ENV = "RASA_WEBHOOK_TOKEN"  # noqa: S105 (a variable name)
RETRY_AFTER_SECONDS = 2
SEARCH_EVENTS = 400  # how far back a repeated message id is looked for
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def _error(status: int, reason: str, **headers: str) -> HTTPResponse:
    return response.json({"error": reason}, status=status, headers=headers or None)


def earlier_replies(tracker: Any, message_id: str) -> list[Any] | None:
    """The bot messages of the turn that handled ``message_id``, or None if it did not run."""
    if tracker is None:
        return None
    events = list(tracker.events)[-SEARCH_EVENTS:]
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, UserUttered) and event.message_id == message_id:
            replies = []
            for later in events[index + 1 :]:
                if isinstance(later, UserUttered):
                    break
                if isinstance(later, BotUttered):
                    replies.append(later)
            return replies
    return None


class GatewayInput(InputChannel):
    """REST-like channel that requires the gateway's bearer token."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError(f"{TOKEN_ENV} is not set: the gateway channel needs a credential")
        self._token = token.encode()

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        env_name = (credentials or {}).get("token_env") or TOKEN_ENV
        return cls(os.environ.get(env_name, ""))

    def authorised(self, request: Request) -> bool:
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        given = token.strip().encode()
        return scheme.lower() == "bearer" and hmac.compare_digest(given, self._token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("gateway_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authorised(request):
                return _error(401, "the gateway's credential is required")
            body = request.json
            if not isinstance(body, dict):
                return _error(400, "a JSON object is required")
            sender, text = body.get("sender"), body.get("message")
            metadata = body.get("metadata")
            message_id = body.get("message_id")
            if not isinstance(sender, str) or not sender or len(sender) > 255:
                return _error(400, "sender is required")
            if not isinstance(text, str):
                return _error(400, "message is required")
            if metadata is not None and not isinstance(metadata, dict):
                return _error(400, "metadata must be an object")
            if message_id is not None and not (
                isinstance(message_id, str) and _MESSAGE_ID.match(message_id)
            ):
                return _error(400, "message_id must be 1-128 letters, digits or -_.:")
            return await self._handle(request, sender, text, metadata, message_id)

        return hook

    async def _handle(
        self,
        request: Request,
        sender: str,
        text: str,
        metadata: dict[str, Any] | None,
        message_id: str | None,
    ) -> HTTPResponse:
        agent = getattr(request.app.ctx, "agent", None)
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if agent is None or not agent.is_ready():
            return _error(503, "the model is not loaded yet", **retry)
        collector = CollectingOutputChannel()
        try:
            async with agent.lock_store.lock(sender):
                with one_turn():  # the tracker is checked against the database once
                    await self._turn(agent, collector, sender, text, metadata, message_id)
        except Exception as exc:  # no text, no sender: the error class only
            log.error("a turn failed in Rasa: %s", type(exc).__name__)
            _forget(agent, sender)
            return _error(503, "the turn failed; send it again", **retry)
        return response.json(collector.messages)

    async def _turn(
        self,
        agent: Any,
        collector: CollectingOutputChannel,
        sender: str,
        text: str,
        metadata: dict[str, Any] | None,
        message_id: str | None,
    ) -> None:
        earlier = (
            earlier_replies(await agent.tracker_store.retrieve(sender), message_id)
            if message_id
            else None
        )
        if earlier is not None:
            for bot in earlier:
                await collector.send_response(sender, bot.message())
            return
        await agent.processor.handle_message(
            UserMessage(
                text,
                collector,
                sender,
                input_channel=self.name(),
                metadata=metadata,
                message_id=message_id,
            )
        )


def _forget(agent: Any, sender: str) -> None:
    """Drop a half-updated cached tracker (the next turn reads the stored one)."""
    store = getattr(agent, "tracker_store", None)
    for candidate in (store, getattr(store, "_tracker_store", None)):
        cache = getattr(candidate, "cache", None)
        if cache is not None:
            cache.drop(sender)
