"""``HandoffService``: the gateway's ``HandoffRouter`` and the help-desk relay.

While a conversation has an open or claimed ticket, what the requester writes is stored
on the ticket (encrypted) and relayed to the claiming agent, and each message gets a short
acknowledgement (``handoff_waiting``: delivered, still waiting or who has it); nothing
reaches Rasa, so its tracker (slots, and the form to resume) stays as it was. The requester
can withdraw ("cancel", "never mind, sorted it": ``withdraw.is_withdrawal``) and is back
with the assistant (``handoff_withdrawn``; the card says so). Emergencies are answered by
the gateway's safety net first; ``emergency`` keeps the message and flags the ticket.
What the agent writes is stored and delivered to the requester's channel. Messages
written before anyone claimed are delivered when someone does. All state is in the
assistant store, so a restarted (or another) gateway worker carries on; ``Bus`` moves
relay notices between workers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.audit import AuditEvent, AuditSink, AuditWriteError
from assistant.conversation import Assistant, Button
from assistant.handoff.inbox import Inbox, InboxRequester, MemoryInbox
from assistant.handoff.ports import (
    Agent,
    AgentDesk,
    Bus,
    NotAllowed,
    RequesterChannel,
    Sender,
)
from assistant.handoff.replies import (  # noqa: F401  (re-exported: the relay's texts)
    PASSED,
    STILL_WAITING,
    WAITING,
    WAITING_KIND,
    WITH_AGENT,
    WITHDRAW_HINT,
    WITHDRAWN,
    WITHDRAWN_KIND,
    acknowledgement,
    waiting_reply,
    withdrawn_reply,
)
from assistant.handoff.requester import (  # noqa: F401  (re-exported)
    NOT_RATEABLE,
    RATE_PAYLOAD,
    THANKS,
    RequesterSide,
)
from assistant.handoff.state import RelayState, RelayStateStore, card_of, thread_of
from assistant.handoff.tickets import Ticket, TicketStore

log = logging.getLogger(__name__)

PERMISSION = "handoff:claim"
JOINED = "{agent} from the help desk has joined. You are now talking to a person."
RETURNED = "The help desk handed you back to the assistant. How can I help?"
RESOLVED = "The help desk closed ticket {ticket}. How did they do? (1 = poor, 5 = great)"
LEASE_SECONDS = 60.0
SENT_TTL = 3600.0


def _now() -> datetime:
    return datetime.now(UTC)


def rating_buttons(ticket_id: str) -> tuple[Button, ...]:
    return tuple(
        Button(str(n), RATE_PAYLOAD + json.dumps({"ticket": ticket_id, "rating": n}))
        for n in range(1, 6)
    )


class HandoffService(RequesterSide):
    def __init__(
        self,
        *,
        tickets: TicketStore,
        state: RelayStateStore,
        bus: Bus,
        clock: Callable[[], datetime] = _now,
        remind_after: timedelta = timedelta(minutes=5),
        escalate_after: timedelta | None = None,
        policy: Any = None,
        audit: AuditSink | None = None,
        inbox: Inbox | None = None,
        worker: str | None = None,
    ) -> None:
        self.tickets = tickets
        self.state = state
        self.bus = bus
        self.clock = clock
        self.remind_after = remind_after
        self.escalate_after = escalate_after or remind_after
        self.policy = policy
        self.audit = audit
        self.inbox: Inbox = inbox or MemoryInbox()
        self.worker = worker or uuid.uuid4().hex[:12]
        self.desk: AgentDesk | None = None
        self.assistant: Assistant | None = None
        self.requesters: dict[str, RequesterChannel] = {}
        self._polling = InboxRequester(self.inbox)
        self._loop: asyncio.Task[None] | None = None

    # -- wiring ------------------------------------------------------------------------------
    def attach_desk(self, desk: AgentDesk) -> None:
        self.desk = desk

    def attach_requester(self, channel: str, adapter: RequesterChannel) -> None:
        self.requesters[channel] = adapter

    def attach_assistant(self, assistant: Assistant) -> None:
        """The assistant used to resume a half-filled form after Return to assistant."""
        self.assistant = assistant

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    # -- relay to the agent ------------------------------------------------------------------
    async def _notify_agent(self, ticket: Ticket) -> None:
        topic = f"{ticket.ticket_id}:agent"
        if await self.bus.publish(topic, {"ticket": ticket.ticket_id}) == 0:
            await self.flush(ticket.ticket_id)
            if ticket.status == "claimed":
                await self._own(topic, self._on_agent_topic)

    async def _on_agent_topic(self, message: dict[str, Any]) -> None:
        await self.flush(str(message["ticket"]))

    async def flush(self, ticket_id: str) -> int:
        """Post the requester's undelivered messages in the agent's thread; how many."""
        if self.desk is None:
            return 0
        count = await self._db(self.state.message_count, ticket_id)
        while True:
            state: RelayState | None = await self._db(self.state.get, ticket_id)
            thread = thread_of(state)
            if state is None or thread is None or state.delivered >= count:
                return 0
            if await self._db(self.state.take_delivery, ticket_id, state.delivered, count):
                break
        ticket = await self._db(self.tickets.get, ticket_id)
        lines = (await self._db(self.tickets.messages, ticket_id))[state.delivered : count]
        sent = 0
        for line in lines:
            if line["role"] == "user":
                await self.desk.relay(ticket, thread, line["text"])
                sent += 1
        return sent

    async def _own(self, topic: str, handler: Any) -> None:
        """Subscribe to ``topic`` if no other live worker owns it (lease with expiry)."""
        if topic in self.bus.subscribed():
            await self.bus.lease(topic + ":owner", self.worker, LEASE_SECONDS)
            return
        if await self.bus.lease(topic + ":owner", self.worker, LEASE_SECONDS):
            await self.bus.subscribe(topic, handler)

    # -- relay to the requester --------------------------------------------------------------
    async def to_requester(self, ticket: Ticket, text: str, buttons: Sequence[Button] = ()) -> None:
        message = {
            "id": uuid.uuid4().hex,
            "sender": ticket.conversation_id,
            "text": text,
            "buttons": [[b.title, b.payload] for b in buttons],
        }
        if await self.bus.publish(f"{ticket.ticket_id}:requester", message) == 0:
            await self._on_requester_topic(message)

    async def _on_requester_topic(self, message: dict[str, Any]) -> None:
        if not await self.bus.once(f"sent:{message['id']}", SENT_TTL):
            return
        sender = Sender.parse(str(message["sender"]))
        buttons = tuple(Button(t, p) for t, p in message.get("buttons") or ())
        adapter = self.requesters.get(sender.channel, self._polling)
        await adapter.deliver(sender, str(message["text"]), buttons)

    # -- help-desk side ----------------------------------------------------------------------
    async def announce(self, ticket_id: str) -> bool:
        """Post the ticket's card once (whichever worker gets here first)."""
        if self.desk is None:
            return False
        await self._db(self.state.ensure, ticket_id)
        if not await self._db(self.state.take_card, ticket_id):
            return False
        ticket = await self._db(self.tickets.get, ticket_id)
        try:
            card = await self.desk.announce(ticket)
        except Exception:
            await self._db(self.state.set_card, ticket_id, None, None)  # retried on tick
            raise
        await self._db(self.state.set_card, ticket_id, card.channel, card.ts)
        return True

    def _check(self, agent: Agent, ticket_id: str, action: str) -> None:
        allowed = self.policy is None or self.policy.allows(agent.roles, PERMISSION)
        if not allowed:
            self._audit(agent, ticket_id, action, "denied")
            raise NotAllowed(f"{action} needs the help-desk role ({PERMISSION})")

    def _audit(self, agent: Agent, ticket_id: str, action: str, outcome: str) -> None:
        if self.audit is None:
            return
        self.audit.record(
            AuditEvent(
                staff=agent.username,
                role=agent.role,
                channel="slack",
                intent=action,
                action=f"helpdesk_{action}",
                permission=PERMISSION,
                resource=f"Ticket/{ticket_id}",
                patient_ref=None,
                outcome=outcome,
            )
        )

    async def claim(self, ticket_id: str, agent: Agent) -> Ticket:
        """Exactly one agent wins (``TicketAlreadyClaimed`` for the others)."""
        self._check(agent, ticket_id, "claim")
        ticket = await self._db(self.tickets.claim, ticket_id, agent.username)
        await self._db(self.state.ensure, ticket_id)
        state = await self._db(self.state.get, ticket_id)
        if self.desk is not None:
            thread = await self.desk.claimed(ticket, card_of(state), agent)
            await self._db(self.state.set_relay, ticket_id, thread.channel, thread.ts, agent.ref)
            # the full transcript may hold PHI: audited, then shown to the claimer only
            try:
                await self._db(self._audit, agent, ticket_id, "claim", "success")
            except AuditWriteError:
                log.error("audit unavailable: transcript of %s not shown", ticket_id)
            else:
                messages = await self._db(self.tickets.messages, ticket_id)
                await self.desk.show_transcript(ticket, agent, messages)
            await self._own(f"{ticket_id}:agent", self._on_agent_topic)
            await self.flush(ticket_id)
        await self.to_requester(ticket, JOINED.format(agent=agent.username))
        return ticket

    async def _claimer(self, ticket_id: str, agent: Agent, action: str) -> Ticket:
        self._check(agent, ticket_id, action)
        ticket: Ticket = await self._db(self.tickets.get, ticket_id)
        if ticket.status == "claimed" and ticket.claimer != agent.username:
            raise NotAllowed(f"only {ticket.claimer} (the claimer) can {action} {ticket_id}")
        return ticket

    async def agent_says(self, ticket_id: str, agent: Agent, text: str) -> bool:
        """The claimer wrote in the relay thread: store and deliver to the requester."""
        ticket = await self._claimer(ticket_id, agent, "reply")
        if ticket.status != "claimed":
            return False
        await self._db(self.tickets.add_message, ticket_id, "agent", text)
        await self.to_requester(ticket, f"Help desk ({agent.username}): {text}")
        return True

    async def ticket_for_thread(self, channel: str, ts: str) -> str | None:
        result: str | None = await self._db(self.state.by_relay, channel, ts)
        return result

    async def return_to_assistant(self, ticket_id: str, agent: Agent) -> Ticket:
        await self._claimer(ticket_id, agent, "return")
        ticket = await self._db(self.tickets.return_to_assistant, ticket_id)
        await self._closed(ticket, agent)
        await self.to_requester(ticket, RETURNED)
        await self._resume(ticket)
        self._audit(agent, ticket_id, "return", "success")
        return ticket

    async def _resume(self, ticket: Ticket) -> None:
        """Re-open the form that was half filled (its slots are still in Rasa's tracker)."""
        form = ticket.summary.get("active_form")
        if not form or self.assistant is None:
            return
        sender = Sender.parse(ticket.conversation_id)
        replies = await self.assistant.send(
            staff=sender.staff,
            channel=sender.channel,
            conversation=sender.conversation,
            text="/" + str(form).removesuffix("_form"),
        )
        for reply in replies:
            if reply.text:
                await self.to_requester(ticket, reply.text, reply.buttons)

    async def resolve(self, ticket_id: str, agent: Agent) -> Ticket:
        await self._claimer(ticket_id, agent, "resolve")
        ticket = await self._db(self.tickets.resolve, ticket_id)
        await self._closed(ticket, agent)
        if await self._db(self.state.take_rating_ask, ticket_id):
            await self.to_requester(
                ticket, RESOLVED.format(ticket=ticket_id), rating_buttons(ticket_id)
            )
        self._audit(agent, ticket_id, "resolve", "success")
        return ticket

    # -- timers ------------------------------------------------------------------------------
    async def tick(self) -> dict[str, int]:
        """Announce, remind, escalate; renew leases. Run every few seconds (``start``)."""
        from assistant.handoff.timers import tick

        return await tick(self)

    async def start(self, interval: float = 5.0) -> None:
        from assistant.handoff.timers import run_forever

        if self._loop is None or self._loop.done():
            self._loop = asyncio.create_task(run_forever(self, interval), name="handoff-tick")

    async def aclose(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            try:
                await self._loop
            except asyncio.CancelledError:
                pass
        await self.bus.aclose()

    async def _closed(self, ticket: Ticket, agent: Agent) -> None:
        state = await self._db(self.state.ensure, ticket.ticket_id)
        if self.desk is not None:
            await self.desk.closed(ticket, card_of(state), thread_of(state), agent)
        for side in ("agent", "requester"):
            await self.bus.unsubscribe(f"{ticket.ticket_id}:{side}")
