"""Bolt listeners: DMs, mentions, ``/hms``, button clicks, App Home, retry de-duplication."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from .dedupe import DedupeStore
from .home import HOME_ACTION_PREFIX, HomeExtrasReader, PolicyLoader, home_view
from .identity import SignedIn
from .places import Place
from .render import BUTTON_ACTION_PREFIX, chosen_blocks, parse_button_value
from .turns import Turns

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")
USAGE = "Tell me what you need, for example `/hms free beds on ward 4B`."


def is_human_message(event: dict[str, Any], context: Any) -> bool:
    """A person's message: no bot_id, no subtype (edits, joins, bot_message), not ourselves."""
    if event.get("bot_id") or event.get("subtype"):
        return False
    user = event.get("user")
    return bool(user) and user != getattr(context, "bot_user_id", None)


def register(
    app: AsyncApp,
    turns: Turns,
    dedupe: DedupeStore,
    policy: PolicyLoader,
    home_extras: HomeExtrasReader | None = None,
) -> None:
    @app.middleware
    async def drop_redeliveries(body: dict, req: Any, next: Any) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await dedupe.first_time(f"event:{event_id}"):
            retry = (req.headers.get("x-slack-retry-num") or [None])[0]
            logger.info("dropping redelivered slack event (retry %s)", retry)
            return BoltResponse(status=200, body="")
        # slash commands and interactions carry a one-time trigger_id: a replayed request
        # (same signed body, still inside the signature window) is acknowledged, not run
        trigger = body.get("trigger_id") if body.get("command") else None
        if trigger and not await dedupe.first_time(f"command:{trigger}"):
            logger.info("dropping a replayed slash command")
            return BoltResponse(status=200, body="")
        return await next()

    @app.event("message")
    async def on_message(event: dict, context: Any, client: Any) -> None:
        if event.get("channel_type") != "im" or not is_human_message(event, context):
            return
        place = Place(channel=event["channel"], thread_ts=event.get("thread_ts"))
        await turns.handle(client, event["user"], event.get("text") or "", place)

    @app.event("app_mention")
    async def on_mention(event: dict, context: Any, client: Any) -> None:
        if not is_human_message(event, context):
            return
        text = _MENTION.sub("", event.get("text") or "").strip()
        channel = event["channel"]
        thread = None if channel.startswith("D") else event.get("thread_ts") or event.get("ts")
        await turns.handle(client, event["user"], text, Place(channel=channel, thread_ts=thread))

    @app.command("/hms")
    async def on_command(ack: Any, command: dict, client: Any) -> None:
        text = (command.get("text") or "").strip()
        if not text:
            await ack(text=USAGE)
            return
        await ack()
        channel = command["channel_id"]
        place = Place(channel=channel, private=not channel.startswith("D"))
        await turns.handle(client, command["user_id"], text, place)

    @app.action(re.compile(f"^{BUTTON_ACTION_PREFIX}"))
    async def on_button(ack: Any, body: dict, action: dict, client: Any) -> None:
        await ack()
        user = body["user"]["id"]
        try:
            value = parse_button_value(action.get("value") or "")
        except ValueError:
            return
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        message_ts = container.get("message_ts")
        if message_ts and not await dedupe.first_time(f"click:{channel}:{message_ts}"):
            return  # one choice per message: a double click never books twice
        place = Place.from_conversation(value["c"], private=bool(value.get("e")))
        if channel and channel != place.channel:
            return  # a button can only continue the conversation it was posted in
        who = await turns.who(client, user)
        if who is None:
            return
        message = body.get("message")
        if message and message_ts and not container.get("is_ephemeral"):
            await client.chat_update(
                channel=channel,
                ts=message_ts,
                text=message.get("text") or "",
                blocks=chosen_blocks(message.get("blocks") or [], str(value.get("t")), user),
            )
        await turns.ask(client, who, str(value.get("p") or ""), place)

    @app.action(re.compile(f"^{HOME_ACTION_PREFIX}"))
    async def on_home_button(ack: Any, body: dict, action: dict, client: Any) -> None:
        await ack()
        user = body["user"]["id"]
        who = await turns.who(client, user)
        if who is None:
            return
        opened = await client.conversations_open(users=user)
        place = Place(channel=opened["channel"]["id"])
        await turns.ask(client, who, str(action.get("value") or ""), place)

    @app.event("app_home_opened")
    async def on_home(event: dict, client: Any) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = event["user"]
        identity = await turns.identity.resolve(client, user)
        extras = None
        if not isinstance(identity, SignedIn):
            await turns.who(client, user)  # audit the refusal
        elif home_extras is not None:
            extras = await home_extras(identity.username)
        await client.views_publish(user_id=user, view=home_view(identity, policy(), extras))
