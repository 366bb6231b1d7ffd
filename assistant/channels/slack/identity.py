"""Slack user -> HMS staff member: ``users.info`` email matched to the HMS Practitioner.

Results are cached per Slack user for a TTL. A deleted Slack account, a user without an
email, an email the HMS does not know, or an inactive staff record is refused: the message
never reaches the assistant. Lookup failures (Slack or HMS down) are refused too but not
cached, so the next message tries again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .ports import StaffDirectory, StaffLike

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 300.0

REFUSAL_TEXT = (
    "Sorry, I can't match your Slack account to an active staff record in the hospital "
    "directory, so I can't help with hospital requests. Please contact the IT help desk."
)
UNAVAILABLE_TEXT = "Sorry, I can't check who you are right now. Please try again in a minute."


@dataclass(frozen=True)
class SignedIn:
    slack_user: str
    staff: StaffLike

    @property
    def username(self) -> str:
        return self.staff.username


@dataclass(frozen=True)
class Refused:
    slack_user: str
    reason: str  # slack_user_deleted | no_email | not_in_directory | staff_inactive | lookup_failed
    message: str
    staff: str | None = None

    @property
    def cacheable(self) -> bool:
        return self.reason != "lookup_failed"


Identity = SignedIn | Refused


class DirectoryFromFactory:
    """A ``StaffDirectory`` over the gateway's HMS client factory (``ctx.hms``)."""

    def __init__(self, factory: Callable[[], StaffDirectory]) -> None:
        self._factory = factory

    async def find_staff(self, username: str | None = None, email: str | None = None) -> list[Any]:
        return await self._factory().find_staff(username=username, email=email)


class SlackIdentity:
    """Resolves Slack user ids to staff. ``client`` is a slack_sdk ``AsyncWebClient``."""

    def __init__(
        self,
        directory: StaffDirectory,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._directory = directory
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, Identity]] = {}

    async def resolve(self, client: Any, slack_user: str) -> Identity:
        now = self._clock()
        hit = self._cache.get(slack_user)
        if hit is not None and hit[0] > now:
            return hit[1]
        result = await self._lookup(client, slack_user)
        if isinstance(result, SignedIn) or result.cacheable:
            self._cache[slack_user] = (now + self._ttl, result)
        return result

    def forget(self, slack_user: str) -> None:
        self._cache.pop(slack_user, None)

    async def _lookup(self, client: Any, slack_user: str) -> Identity:
        try:
            info = await client.users_info(user=slack_user)
            user = info.get("user") or {}
        except Exception as exc:
            error = getattr(getattr(exc, "response", None), "get", lambda _k: None)("error")
            if error == "user_not_found":
                return Refused(slack_user, "not_in_directory", REFUSAL_TEXT)
            logger.warning("slack users.info failed: %s", type(exc).__name__)
            return Refused(slack_user, "lookup_failed", UNAVAILABLE_TEXT)
        if user.get("deleted"):
            return Refused(slack_user, "slack_user_deleted", REFUSAL_TEXT)
        email = (user.get("profile") or {}).get("email")
        if not email or user.get("is_bot"):
            return Refused(slack_user, "no_email", REFUSAL_TEXT)
        try:
            matches = await self._directory.find_staff(email=email)
        except Exception as exc:
            logger.warning("staff lookup failed: %s", type(exc).__name__)
            return Refused(slack_user, "lookup_failed", UNAVAILABLE_TEXT)
        wanted = email.casefold()
        exact = [s for s in matches if (getattr(s, "email", None) or "").casefold() == wanted]
        candidates = exact or list(matches)
        if len(candidates) != 1:
            return Refused(slack_user, "not_in_directory", REFUSAL_TEXT)
        staff = candidates[0]
        if not staff.active:
            return Refused(slack_user, "staff_inactive", REFUSAL_TEXT, staff=staff.username)
        return SignedIn(slack_user, staff)
