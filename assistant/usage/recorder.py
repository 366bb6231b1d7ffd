"""``UsageRecorder``: the ``Assistant`` wrapper that records each turn (and keeps misses).

It times the inner assistant's ``send``, classifies the replies by their kinds, and keeps
one ``usage_turn`` row (no text) for the next batch write (``assistant.usage.buffer``). A
turn that ended in the fallback's first miss or its clarifying question is also handed to
the "not understood" capture, which reads the NLU prediction and keeps the redacted,
encrypted message for a trainer. Recording never fails
a turn: a store error is logged (without text) and the replies go back as they are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from assistant.conversation import Assistant, Reply
from assistant.practice.mode import is_practice

from .buffer import UsageBuffer
from .classify import REVIEW_KINDS, classify, reply_kinds
from .log import Turn, UsageLog, conversation_key
from .roles import RoleLookup, role_label

log = logging.getLogger(__name__)


class MissCapture(Protocol):
    """Keeps a message that was not understood (see ``assistant.review.capture``)."""

    async def capture(
        self, *, sender: str, text: str, channel: str, role: str, kind: str
    ) -> None: ...


class UsageRecorder:
    def __init__(
        self,
        inner: Assistant,
        *,
        usage: Callable[[], UsageLog | None] | UsageBuffer,
        roles: RoleLookup,
        key: str,
        intents: Sequence[str],
        misses: MissCapture | None = None,
        timer: Callable[[], float] = time.perf_counter,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.inner = inner
        # rows go in batches; a buffer may be shared (the practice recorder's rows too)
        self.usage = usage if isinstance(usage, UsageBuffer) else UsageBuffer(usage)
        self._roles = roles
        self._key = key
        self._intents = tuple(intents)
        self._misses = misses
        self._timer = timer
        self._clock = clock

    async def aclose(self) -> None:
        await self.usage.aclose()
        close = getattr(self._misses, "aclose", None)
        if close is not None:
            await close()

    def __getattr__(self, name: str) -> Any:  # e.g. ``handoff`` on the wrapped assistant
        return getattr(self.inner, name)

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        started = self._timer()
        replies = await self.inner.send(
            staff=staff, channel=channel, conversation=conversation, text=text
        )
        elapsed_ms = int((self._timer() - started) * 1000)
        try:
            await self._record(staff, channel, conversation, text, replies, elapsed_ms)
        except Exception as exc:
            log.warning("usage record not written: %s", type(exc).__name__)
        return replies

    async def _record(
        self,
        staff: str,
        channel: str,
        conversation: str,
        text: str,
        replies: Sequence[Reply],
        elapsed_ms: int,
    ) -> None:
        sender = f"{channel}:{staff}:{conversation}"
        turn = classify(reply_kinds(replies), self._intents)
        role = role_label(await self._roles.roles(staff))
        practice = is_practice(conversation)
        self.usage.add(
            Turn(
                at=self._clock(),
                channel=channel,
                role=role,
                intent=turn.intent,
                outcome=turn.outcome,
                kind=turn.kind,
                latency_ms=elapsed_ms,
                conversation=conversation_key(self._key, sender),
                practice=practice,
            )
        )
        if (
            self._misses is not None
            and turn.kind in REVIEW_KINDS
            and not text.lstrip().startswith("/")  # a button payload, not words
        ):
            await self._misses.capture(
                sender=sender, text=text, channel=channel, role=role, kind=turn.kind or ""
            )
