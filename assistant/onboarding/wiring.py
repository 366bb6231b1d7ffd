"""Builds the gateway's ``Onboarding`` service from settings (catalog + policy + HMS)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from assistant.config import Settings
from assistant.usage.roles import RoleLookup

from .service import Onboarding


def build_onboarding(
    settings: Settings, roles: RoleLookup, hms: Callable[[], Any], open_store: Callable[[], Any]
) -> Onboarding:
    from assistant.rbac.policy import load_policy
    from intents.catalog import load_catalog

    @functools.cache
    def audit() -> Any:
        from assistant.audit.keys import AuditKeys
        from assistant.audit.trail import SqlAuditTrail

        return SqlAuditTrail(open_store(), AuditKeys.from_settings(settings))

    return Onboarding(
        roles=roles,
        policy=load_policy(),
        catalog=load_catalog(),
        hms=hms,
        open_store=open_store,
        audit=audit,
        emergency_number=settings.emergency_number,
    )
