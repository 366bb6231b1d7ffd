"""``PracticeAssistant``: switches practice mode, routes practice turns, labels replies.

Outermost of the gateway's adoption wrappers. "practice mode" / "practice mode off" (and
``/practice_on`` / ``/practice_off`` button payloads) switch the mode, answered here.
While a staff member is in practice mode their turns go to ``practice_inner`` (the usage
recorder over the bare Rasa assistant: no help-desk escalation) in the ``practice-``
conversation namespace, each reply is labelled, and the tour confirms steps as they are
done.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from assistant.conversation import Assistant, Button, Reply
from assistant.conversation.kinds import PracticeTourData
from assistant.onboarding.service import Onboarding
from assistant.usage.classify import classify, reply_kinds

from .mode import LABEL, PracticeModes, practice_conversation
from .tour import intro, next_step, progress, tour_for

log = logging.getLogger(__name__)

_ON = re.compile(r"^(/practice_on|(start |enter |turn on )?practice( mode)?( on)?)$")
_OFF = re.compile(
    r"^(/practice_off|(stop|end|exit|leave|quit) practice( mode)?|practice( mode)? off"
    r"|turn off practice( mode)?)$"
)
ON_KIND, OFF_KIND, STEP_KIND = "practice_on", "practice_off", "practice_tour_step"
UNAVAILABLE_KIND = "practice_unavailable"
OFF_BUTTON = Button("Leave practice mode", "/practice_off")


# staff -> practice mode on/off as this request last read or set it (``one_request``)
_SEEN: ContextVar[dict[str, bool] | None] = ContextVar("practice_seen", default=None)


@contextmanager
def one_request() -> Iterator[None]:
    """One channel request: the mode is read from the store once, not at each step that
    asks (only ``PracticeAssistant`` changes it, and it updates what was read)."""
    token = _SEEN.set({})
    try:
        yield
    finally:
        _SEEN.reset(token)


def command(text: str) -> str | None:
    said = " ".join(text.lower().strip(" .!").split())
    if _ON.match(said):
        return "on"
    if _OFF.match(said):
        return "off"
    return None


NO_HELPDESK = (
    "In practice mode the help desk is not called. In real use I would put you through to "
    "a person now (or tell you how to reach them)."
)


def no_helpdesk(reply: Reply) -> Reply:
    """The hand-off answer in practice: explain instead of "the help desk is unreachable"."""
    if not reply.kind.startswith("talk_to_human_"):
        return reply
    custom = {**(reply.custom or {}), "kind": "talk_to_human_practice", "data": {}}
    return Reply(NO_HELPDESK, (), custom)


def label(replies: Sequence[Reply]) -> list[Reply]:
    out = []
    for r in replies:
        custom = {**(r.custom or {}), "practice": True}
        out.append(Reply(f"{LABEL} {r.text}".strip(), r.buttons, custom))
    return out


class PracticeAssistant:
    def __init__(
        self,
        inner: Assistant,
        practice_inner: Assistant,
        modes: PracticeModes,
        onboarding: Onboarding,
        *,
        available: bool,
        task_intents: Sequence[str],
    ) -> None:
        self.inner = inner
        self.practice_inner = practice_inner
        self.modes = modes
        self.onboarding = onboarding
        self.available = available
        self._intents = tuple(task_intents)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @staticmethod
    def one_request() -> Any:
        """See ``one_request`` (for a channel that holds this object, not the module)."""
        return one_request()

    async def is_on(self, staff: str) -> bool:
        seen = _SEEN.get()
        if seen is not None and staff in seen:
            return seen[staff]
        on = await self.modes.read(staff) is not None
        if seen is not None:
            seen[staff] = on
        return on

    @staticmethod
    def _now(staff: str, on: bool) -> None:
        seen = _SEEN.get()
        if seen is not None:
            seen[staff] = on

    async def set_mode(self, staff: str, on: bool) -> list[Reply]:
        if not on:
            await asyncio.to_thread(self.modes.turn_off, staff)
            self._now(staff, False)
            return [
                Reply(
                    "Practice mode is off: you are back on the real hospital system.",
                    (),
                    {"phi": False, "kind": OFF_KIND, "data": {}},
                )
            ]
        if not self.available:
            return [
                Reply(
                    "Practice mode is not set up on this system (no training hospital).",
                    (),
                    {"phi": False, "kind": UNAVAILABLE_KIND, "data": {}},
                )
            ]
        state = await asyncio.to_thread(self.modes.turn_on, staff)
        self._now(staff, True)
        steps = tour_for(await self.onboarding.guide(staff))
        step = next_step(steps, state.done)
        buttons = (Button(step.title, step.say),) if step else ()
        return label(
            [
                Reply(
                    "You are in practice mode: a training hospital with made-up patients. "
                    "Nothing you do here changes real records or reaches the help desk. "
                    + intro(steps),
                    (*buttons, OFF_BUTTON),
                    {
                        "phi": False,
                        "kind": ON_KIND,
                        "data": PracticeTourData(
                            tour=[s.intent for s in steps], done=list(state.done)
                        ),
                    },
                )
            ]
        )

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        wanted = command(text)
        if wanted is not None:
            return await self.set_mode(staff, wanted == "on")
        if not await self.is_on(staff):
            return await self.inner.send(
                staff=staff, channel=channel, conversation=conversation, text=text
            )
        replies = await self.practice_inner.send(
            staff=staff,
            channel=channel,
            conversation=practice_conversation(conversation),
            text=text,
        )
        return label([*map(no_helpdesk, replies), *await self._tour(staff, replies)])

    async def _tour(self, staff: str, replies: Sequence[Reply]) -> list[Reply]:
        turn = classify(reply_kinds(replies), self._intents)
        if turn.outcome != "success" or turn.intent is None:
            return []
        steps = tour_for(await self.onboarding.guide(staff))
        step = next((s for s in steps if s.intent == turn.intent), None)
        if step is None:
            return []
        state = await self.modes.read(staff)
        if state is None or step.intent in state.done:
            return []
        done = await asyncio.to_thread(self.modes.mark_done, staff, step.intent)
        following = next_step(steps, done)
        buttons = (Button(following.title, following.say),) if following else ()
        return [
            Reply(
                progress(step, steps, done),
                (*buttons, OFF_BUTTON),
                {
                    "phi": False,
                    "kind": STEP_KIND,
                    "data": PracticeTourData(
                        step=step.intent, done=list(done), tour=[s.intent for s in steps]
                    ),
                },
            )
        ]
