"""Per-staff rate limits for channels that learn who is asking only from the request body.

The REST channel is limited per staff member by the gateway's middleware (bearer token).
Slack and the kiosk identify the staff member after reading the request (Slack user ->
HMS staff; kiosk session), so their turns are limited here, where every channel hands a
message to the assistant. Slack's own requests are exempt from the per-IP limit: they all
come from Slack's few addresses and are authenticated by their signature instead.
"""

from __future__ import annotations

import math

from assistant.conversation import Assistant, Reply
from assistant.ratelimit import RateLimited, RateLimits

BODY_LIMITED_CHANNELS = frozenset({"rest"})  # counted by the middleware already


class ThrottledAssistant:
    """An ``Assistant`` that refuses a turn, with a clear answer, over the staff limit."""

    def __init__(self, inner: Assistant, limits: RateLimits) -> None:
        self.inner = inner
        self.limits = limits

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        if channel not in BODY_LIMITED_CHANNELS:
            try:
                await self.limits.check_user(staff)
            except RateLimited as exc:
                seconds = max(1, math.ceil(exc.retry_after))
                return [
                    Reply(
                        f"You're sending messages faster than I can handle. "
                        f"Please wait {seconds} seconds and try again.",
                        custom={"phi": False, "kind": "rate_limited", "data": {}},
                    )
                ]
        return await self.inner.send(
            staff=staff, channel=channel, conversation=conversation, text=text
        )
