"""The collaborators the Slack channel needs, as small ports (injected, never built here)."""

from __future__ import annotations

from typing import Any, Protocol


class SlackChannelError(Exception):
    """Base class of the Slack channel's own errors."""


class StaffLike(Protocol):
    """What the channel reads of an HMS staff member (``assistant.hms.models.Staff``)."""

    @property
    def username(self) -> str: ...
    @property
    def roles(self) -> frozenset[str]: ...
    @property
    def active(self) -> bool: ...


class StaffDirectory(Protocol):
    """The HMS lookup of staff by email (``HmsClient.find_staff``)."""

    async def find_staff(
        self, username: str | None = None, email: str | None = None
    ) -> list[Any]: ...


class RefusalAudit(Protocol):
    """Records a refused Slack user (unknown, deactivated, not in the HMS)."""

    async def refused(self, *, slack_user: str, reason: str, staff: str | None) -> None: ...


class DedupeStore(Protocol):
    """Remembers keys for a while: ``first_time`` is True only for a key's first sighting."""

    async def first_time(self, key: str) -> bool: ...


class PolicyLike(Protocol):
    """The role policy as the App Home reads it (``assistant.rbac.policy.Policy``)."""

    def permissions_for(self, roles: Any) -> frozenset[str]: ...
