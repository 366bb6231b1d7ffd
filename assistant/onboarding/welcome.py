"""``WelcomingAssistant``: the first time someone talks to the assistant on a channel, a
short guide for their role comes after the answer (kind ``onboarding_welcome``).

When the answer already says what the assistant does ("what can you do?", "hi"), a second
overview would only repeat it: that answer stays the one reply and takes the guide's
example buttons instead (the welcome counts as shown)."""

from __future__ import annotations

import logging
from typing import Any

from assistant.conversation import Assistant, Button, Reply
from assistant.conversation.kinds import WelcomeData

from .guide import WELCOME_KIND, common_first, welcome_text
from .service import Onboarding

log = logging.getLogger(__name__)
MAX_BUTTONS = 4
# the kiosk shows the role's guide as tiles right after sign-in (and would read a long
# welcome aloud), so the first message is for the chat channels
CHANNELS = ("slack", "rest", "cli")
# answers that are themselves an overview of what the assistant does
OVERVIEWS = ("ask_capabilities_success", "greet_answer")


class WelcomingAssistant:
    def __init__(self, inner: Assistant, onboarding: Onboarding) -> None:
        self.inner = inner
        self.onboarding = onboarding

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        replies = await self.inner.send(
            staff=staff, channel=channel, conversation=conversation, text=text
        )
        if channel not in CHANNELS:
            return replies
        try:
            first = await self.onboarding.first_time(staff, channel)
            if not first:
                return replies
            guide = await self.onboarding.guide(staff)
        except Exception as exc:
            log.warning("welcome not shown: %s", type(exc).__name__)
            return replies
        buttons = tuple(Button(c.button, c.say) for c in common_first(guide)[:MAX_BUTTONS])
        overview = [r for r in replies if r.kind in OVERVIEWS]
        if len(replies) == 1 and overview and guide.capabilities:
            answer = overview[0]
            return [Reply(answer.text, answer.buttons or buttons, answer.custom)]
        welcome = Reply(
            welcome_text(guide, self.onboarding.emergency_number),
            buttons,
            {
                "phi": False,
                "kind": WELCOME_KIND,
                "data": WelcomeData(
                    roles=list(guide.roles), intents=[c.intent for c in guide.capabilities]
                ),
            },
        )
        # the answer to what they asked comes first; emergencies are never delayed by it
        return [*replies, welcome]
