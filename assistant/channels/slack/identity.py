"""Slack user -> HMS staff member: ``users.info`` email matched to the HMS Practitioner.

Only a full member's confirmed e-mail address counts: a deleted account, a bot or app
user, a guest (``is_restricted`` / ``is_ultra_restricted``), an e-mail Slack has not
confirmed (``is_email_confirmed`` false or absent), an e-mail with no *exact*
(case-insensitive) match in the HMS directory, more than one match, or an inactive staff
record are all refused, and the person is told which, in plain words. There is no fuzzy
or partial matching. Results are cached per Slack user for a TTL; lookup failures (Slack
or HMS down) are refused too but not cached, so the next message tries again.
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
EXACT_ONLY_TEXT = (
    "Sorry, I match Slack accounts to the hospital directory by exact e-mail address only, "
    "and the confirmed e-mail on your Slack profile is not on exactly one active staff "
    "record. Please ask the IT help desk to check the e-mail on your staff record."
)
UNCONFIRMED_TEXT = (
    "Sorry, Slack has not confirmed the e-mail address on your profile, so I can't use it "
    "to identify you. Confirm it in Slack (check your inbox for Slack's message), then try "
    "again."
)
GUEST_TEXT = (
    "Sorry, guest accounts can't use the hospital assistant: it needs a full member of "
    "the hospital's Slack workspace. Please contact the IT help desk."
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
    # slack_user_deleted | bot | guest | no_email | email_unconfirmed | not_in_directory |
    # ambiguous_email | staff_inactive | lookup_failed
    reason: str
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
        refused = _account_refusal(slack_user, user)
        if refused is not None:
            return refused
        email = str((user.get("profile") or {}).get("email")).strip()
        try:
            matches = await self._directory.find_staff(email=email)
        except Exception as exc:
            logger.warning("staff lookup failed: %s", type(exc).__name__)
            return Refused(slack_user, "lookup_failed", UNAVAILABLE_TEXT)
        wanted = email.casefold()
        exact = [s for s in matches if (getattr(s, "email", None) or "").casefold() == wanted]
        if len(exact) != 1:  # exact e-mail only: never a near or partial match
            reason = "ambiguous_email" if exact else "not_in_directory"
            return Refused(slack_user, reason, EXACT_ONLY_TEXT)
        staff = exact[0]
        if not staff.active:
            return Refused(slack_user, "staff_inactive", REFUSAL_TEXT, staff=staff.username)
        return SignedIn(slack_user, staff)


def _account_refusal(slack_user: str, user: dict[str, Any]) -> Refused | None:
    """Refuse accounts that cannot identify a staff member, before any directory lookup."""
    if user.get("deleted"):
        return Refused(slack_user, "slack_user_deleted", REFUSAL_TEXT)
    if user.get("is_bot") or user.get("is_app_user") or slack_user == "USLACKBOT":
        return Refused(slack_user, "bot", REFUSAL_TEXT)
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return Refused(slack_user, "guest", GUEST_TEXT)
    if not (user.get("profile") or {}).get("email"):
        return Refused(slack_user, "no_email", REFUSAL_TEXT)
    if user.get("is_email_confirmed") is not True:
        return Refused(slack_user, "email_unconfirmed", UNCONFIRMED_TEXT)
    return None
