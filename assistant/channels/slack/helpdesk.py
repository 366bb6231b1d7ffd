"""The help-desk side in Slack: Claim / Return to assistant / Resolve, and agent replies.

``register_helpdesk(bolt_app, settings, service, directory=...)`` attaches the Slack help desk
(``HELPDESK_CHANNEL``) and the Slack requester adapter to the gateway's ``HandoffService``
(``GatewayContext.handoff``, passed explicitly) and adds:
- block actions ``hd_claim``, ``hd_return``, ``hd_resolve`` (value = ticket id); only staff
  whose HMS role grants ``handoff:claim`` (help desk) may use them, checked per click;
- a middleware taking messages written in a relay thread (the claimer's DM thread, or the
  card's thread): they go to the requester. It is a middleware, not a ``message``
  listener, because bolt runs only the first matching listener and the channel's own
  ``message`` listener (DMs to the assistant) is registered first.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from assistant.config import Settings
from assistant.handoff import TicketAlreadyClaimed, TicketError, TicketStateError
from assistant.handoff.ports import Agent, NotAllowed

from .handlers import is_human_message
from .helpdesk_blocks import CLAIM, RESOLVE, RETURN
from .helpdesk_desk import SlackHelpdesk, SlackRequester
from .identity import SignedIn, SlackIdentity
from .ports import StaffDirectory

if TYPE_CHECKING:
    from assistant.handoff.relay import HandoffService

logger = logging.getLogger(__name__)

NOT_STAFF = "Sorry, I can't match your Slack account to an active staff record."
EVENT_TTL = 3600.0


def oncall_id(settings: Any) -> str | None:
    return getattr(settings, "handoff_oncall_slack_id", None) or None


def register_helpdesk(
    bolt_app: AsyncApp,
    settings: Settings,
    service: HandoffService | None,
    *,
    directory: StaffDirectory,
    relay_in: str = "dm",
) -> SlackHelpdesk | None:
    channel = settings.helpdesk_channel
    if service is None or not channel:
        logger.info("Slack help desk is off (needs HELPDESK_CHANNEL and the handoff service)")
        return None
    desk = SlackHelpdesk(
        bolt_app.client,
        channel,
        oncall=oncall_id(settings),
        relay_in=relay_in,
        emergency_number=str(getattr(settings, "emergency_number", None) or "2222"),
    )
    service.attach_desk(desk)
    service.attach_requester("slack", SlackRequester(bolt_app.client, directory))
    identity = SlackIdentity(directory)

    async def agent_of(client: Any, user: str) -> Agent | None:
        who = await identity.resolve(client, user)
        if not isinstance(who, SignedIn):
            return None
        return Agent(ref=user, username=who.username, roles=frozenset(who.staff.roles))

    async def tell(client: Any, where: str | None, user: str, text: str) -> None:
        try:
            await client.chat_postEphemeral(channel=where or channel, user=user, text=text)
        except Exception as exc:
            logger.warning("help-desk notice failed: %s", type(exc).__name__)

    @bolt_app.action(re.compile(f"^({CLAIM}|{RETURN}|{RESOLVE})$"))
    async def on_helpdesk_button(ack: Any, body: dict, action: dict, client: Any) -> None:
        await ack()
        user = body["user"]["id"]
        ticket_id = str(action.get("value") or "")
        where = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get(
            "id"
        )
        agent = await agent_of(client, user)
        if agent is None:
            await tell(client, where, user, NOT_STAFF)
            return
        try:
            if action["action_id"] == CLAIM:
                await service.claim(ticket_id, agent)
            elif action["action_id"] == RETURN:
                await service.return_to_assistant(ticket_id, agent)
            else:
                await service.resolve(ticket_id, agent)
        except TicketAlreadyClaimed as exc:
            by = exc.ticket.claimer if exc.ticket else "someone else"
            await tell(client, where, user, f"{ticket_id} was already claimed by {by}.")
        except TicketStateError as exc:
            status = exc.ticket.status if exc.ticket else "closed"
            await tell(client, where, user, f"{ticket_id} is already {status}.")
        except (NotAllowed, TicketError) as exc:
            await tell(client, where, user, f"Sorry: {exc}")

    @bolt_app.middleware
    async def helpdesk_relay_threads(body: dict, context: Any, next: Any) -> Any:
        event = body.get("event") or {}
        if (
            body.get("type") != "event_callback"
            or event.get("type") != "message"
            or not event.get("thread_ts")
            or not is_human_message(event, context)
        ):
            return await next()
        ticket_id = await service.ticket_for_thread(event["channel"], event["thread_ts"])
        if ticket_id is None:
            return await next()
        event_id = body.get("event_id") or event.get("ts")
        if await service.bus.once(f"slack-event:{event_id}", EVENT_TTL):
            agent = await agent_of(context.client, event["user"])
            try:
                if agent is None:
                    raise NotAllowed(NOT_STAFF)
                await service.agent_says(ticket_id, agent, event.get("text") or "")
            except (NotAllowed, TicketError) as exc:
                await tell(context.client, event["channel"], event["user"], f"Sorry: {exc}")
        return BoltResponse(status=200, body="")

    logger.info("Slack help desk is on (channel %s, relay in %s)", channel, relay_in)
    return desk
