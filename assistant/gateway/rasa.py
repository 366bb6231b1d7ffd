"""``RasaAssistant``: the ``Assistant`` every channel talks to, backed by Rasa workers.

It signs the principal (no PHI: username, channel, validity), posts the message to one
Rasa worker's gateway channel (``rasa_ext.channel``, which requires the gateway's
credential, ``RASA_WEBHOOK_TOKEN``) and turns Rasa's output into ``Reply`` objects. With
several workers the conversation is routed by a stable hash of its sender id
(rendezvous hashing), because Rasa's lock store is not safe across workers (DESIGN.md
section 3) and each worker keeps its conversations' trackers in memory.

Every message carries an id (the channel's, e.g. the REST caller's ``message_id``, else a
new one). When the conversation's worker cannot be reached, dies mid-turn or is still
loading its model, the same message goes to the sender's next worker with the same id;
Rasa never runs one id twice (the turn's earlier replies come back instead). When no
worker answers, the reply is the "restarting" text with ``custom.kind`` =
``assistant_unavailable`` (the REST channel turns it into 503 + ``Retry-After``). When a
conversation has been handed off to the help desk, a ``HandoffRouter`` takes the text
instead of Rasa. The safety net's verdict on the message (``assistant.safety``) goes to
Rasa as ``metadata.safety``. A message holding several requests ("mark bed 5 clean and is
bed 6 free?") is cut by the ``clauses`` splitter (``assistant.clauses``) and each clause is
sent in turn, the replies joined in one answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

from assistant.conversation import Button, Reply, current_message_id
from assistant.gateway.heldclauses import HeldClauses, asks_back, held_by_actions
from assistant.gateway.payloads import MemoryOffers, PayloadGuard
from assistant.gateway.reactions import as_words
from assistant.identity.principal import sign_principal
from assistant.practice.mode import is_practice
from assistant.safety.context import current_level
from assistant.wire import Unreachable, WireError, wire

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/gateway/webhook"
RESTARTING = (
    "The assistant is restarting or busy and could not answer just now. "
    "Please try again in a minute. For an emergency call {emergency}."
)
UNAVAILABLE_KIND = "assistant_unavailable"
RETRY_AFTER_SECONDS = 5


class HandoffRouter(Protocol):
    """Takes a message when its conversation is with a human (help desk), else ``None``."""

    async def intercept(
        self, staff: str, channel: str, conversation: str, text: str
    ) -> list[Reply] | None: ...


class Clauses(Protocol):
    """Cuts a message holding several requests into the clauses to send in turn."""

    async def split(self, sender: str, text: str) -> list[str]: ...

    async def aclose(self) -> None: ...


class NoHandoff:
    """Default router: nothing is ever handed off."""

    async def intercept(
        self, staff: str, channel: str, conversation: str, text: str
    ) -> list[Reply] | None:
        return None


def sender_id(channel: str, staff: str, conversation: str) -> str:
    return f"{channel}:{staff}:{conversation}"


def worker_order(workers: Sequence[str], sender: str) -> list[str]:
    """``sender``'s workers, first choice first (rendezvous hashing): the same order in
    every gateway process; a worker leaving moves only its own conversations."""
    if not workers:
        raise ValueError("no Rasa workers configured (RASA_URLS)")

    def weight(worker: str) -> bytes:
        return hashlib.sha256(f"{worker}|{sender}".encode()).digest()

    return sorted(workers, key=weight, reverse=True)


def pick_worker(workers: Sequence[str], sender: str) -> str:
    """The worker for ``sender``: the same for the same sender in every gateway process."""
    return worker_order(workers, sender)[0]


def message_id(channel_id: str | None, text: str) -> str:
    """Rasa's id for this call: the channel's message id and the text sent, so a retry of
    the same message has the same id, while a second call the gateway makes for it (e.g.
    ``/talk_to_human`` after two fallbacks) does not."""
    if not channel_id:
        return uuid.uuid4().hex
    return f"{channel_id[:100]}.{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def unavailable(emergency: str) -> Reply:
    return Reply(
        RESTARTING.format(emergency=emergency),
        custom={
            "phi": False,
            "kind": UNAVAILABLE_KIND,
            "data": {"retry_after": RETRY_AFTER_SECONDS},
        },
    )


def parse_replies(payload: Any) -> list[Reply]:
    """Rasa REST output -> replies; a custom-only message merges into the previous text."""
    replies: list[Reply] = []
    if not isinstance(payload, list):
        return replies
    for message in payload:
        if not isinstance(message, dict):
            continue
        text = message.get("text")
        custom = message.get("custom") if isinstance(message.get("custom"), dict) else None
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in message.get("buttons") or []
            if isinstance(b, dict)
        )
        if not isinstance(text, str) or not text:
            if custom is not None and replies:
                previous = replies[-1]
                merged = {**(previous.custom or {}), **custom}
                replies[-1] = Reply(previous.text, previous.buttons, merged)
            elif custom is not None or buttons:
                replies.append(Reply("", buttons, custom))
            continue
        replies.append(Reply(text, buttons, custom))
    return replies


class RasaAssistant:
    """Sends staff messages to Rasa with a signed principal; never raises for Rasa outages."""

    def __init__(
        self,
        *,
        workers: Sequence[str],
        signing_key: str,
        principal_ttl: int = 30,
        emergency_number: str = "2222",
        handoff: HandoffRouter | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        webhook_token: str = "",
        payloads: PayloadGuard | None = None,
        clauses: Clauses | None = None,
        held: HeldClauses | None = None,
        in_flight: int = 0,
    ) -> None:
        if not workers:
            raise ValueError("no Rasa workers configured (RASA_URLS)")
        self.workers = tuple(w.rstrip("/") for w in workers)
        self._key = signing_key  # ASSISTANT_PRINCIPAL_KEY: signs the per-message principal
        self._principal_ttl = principal_ttl
        self._emergency = emergency_number
        self.handoff: HandoffRouter = handoff or NoHandoff()
        headers = {"Authorization": f"Bearer {webhook_token}"} if webhook_token else {}
        self.payloads = payloads or PayloadGuard(MemoryOffers())  # offered buttons only
        self.clauses = clauses
        self.held = held or HeldClauses()  # requests of one message kept while another asks
        self._client = wire(timeout=timeout, transport=transport, headers=headers)
        # at most ``in_flight`` of this gateway's messages in Rasa at a time, the rest
        # waiting in the order they came (0: no limit); see ``_admitted``
        self._in_flight = asyncio.Semaphore(in_flight) if in_flight else None
        self._wait = timeout

    async def aclose(self) -> None:
        await self._client.aclose()
        if self.clauses is not None:
            await self.clauses.aclose()

    def worker_for(self, sender: str) -> str:
        return pick_worker(self.workers, sender)

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        text = as_words(text)  # "👍" / ":+1:" alone is a yes
        handed = await self.handoff.intercept(staff, channel, conversation, text)
        if handed is not None:
            return handed
        sender = sender_id(channel, staff, conversation)
        if not await self.payloads.admit(sender, text):
            return PayloadGuard.refusal()
        text = await self.held.accepted(sender, text) or text  # "yes" to "Shall I do that now?"
        metadata: dict[str, Any] = {
            "principal": sign_principal(
                self._key,
                staff,
                channel,
                sender=sender,
                ttl=self._principal_ttl,
                practice=is_practice(conversation),
            )
        }
        level = current_level()
        if level is not None:  # the safety net's verdict (no PHI): emergency/caution/none
            metadata["safety"] = level
        parts = [text] if self.clauses is None else await self.clauses.split(sender, text)
        replies: list[Reply] = []
        for index, part in enumerate(parts):
            # which clause of how many (the actions hold back a question that a later
            # clause's answer would bury: an occupied bed's "close it anyway?")
            told = {**metadata, "clause": [index + 1, len(parts)]} if len(parts) > 1 else metadata
            answer = await self._post(sender, part, told)
            replies.extend(answer)
            if answer and answer[-1].kind == UNAVAILABLE_KIND:
                return replies
            if index < len(parts) - 1 and asks_back(answer):
                # one question at a time: the rest is offered once this one is answered
                replies.append(await self.held.hold(sender, parts[index + 1 :]))
                return replies
        kept = held_by_actions(replies)
        if kept:  # "oh and housekeeping for bed 7 too" held while a description is asked
            await self.held.keep(sender, kept)
        offers = await self.held.after(sender, replies) if len(parts) == 1 else []
        if offers:
            await self.payloads.remember(sender, offers)  # its button may be pressed
        else:
            await self.held.offer_one(sender, replies)  # a typed yes may press its button
        return [*replies, *offers]

    @asynccontextmanager
    async def _admitted(self) -> AsyncIterator[None]:
        """A turn in Rasa. A Rasa worker is one event loop: twenty messages sent at once are
        interleaved step by step and each finishes only when most of the others do, and
        the conversations that hash to the busier worker wait longest (a burst's slowest
        answers took twice the median). A few at a time across the workers, the rest
        queued first come first served, keeps Rasa as busy and answers each message in its
        turn: the slow tail goes (``RASA_IN_FLIGHT``; bench/compare_rasa.py). A worker
        that is down answers at once (connection refused) and frees its turn; waiting
        longer than the request timeout counts as Rasa not answering."""
        if self._in_flight is None:
            yield
            return
        async with asyncio.timeout(self._wait):
            await self._in_flight.acquire()
        try:
            yield
        finally:
            self._in_flight.release()

    async def _post(self, sender: str, text: str, metadata: dict[str, Any]) -> list[Reply]:
        body = {
            "sender": sender,
            "message": text,
            "metadata": metadata,
            "message_id": message_id(current_message_id.get(), text),
        }
        for worker in worker_order(self.workers, sender):
            try:
                async with self._admitted():
                    response = await self._client.request("POST", worker + WEBHOOK_PATH, json=body)
                if response.status == 503 and b"not loaded" in response.content:
                    log.warning("Rasa worker %s is still loading; trying the next", worker)
                    continue
                if response.status >= 400:
                    log.warning("Rasa worker %s answered HTTP %d", worker, response.status)
                    break
                replies = parse_replies(response.json())
            except Unreachable as exc:
                # the worker never got the message, or died while handling it: the next
                # worker may take it (same message id: Rasa never runs one id twice).
                # No message text or sender in logs (PHI); the worker and error kind only
                log.warning("Rasa worker %s failed (%s); next", worker, exc.kind)
                continue
            except (WireError, ValueError, TimeoutError) as exc:
                # TimeoutError: no turn in the worker within the timeout (see ``_admitted``)
                kind = exc.kind if isinstance(exc, WireError) else type(exc).__name__
                log.warning("Rasa worker %s did not answer: %s", worker, kind)
                break
            await self.payloads.remember(sender, replies)
            return replies
        return [unavailable(self._emergency)]
