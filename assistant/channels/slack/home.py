"""The App Home tab: what the signed-in staff member's roles allow, with quick actions.

Permissions come from the role policy (``assistant.rbac.policy``); quick-action buttons send
a ready-made request to the assistant in the user's DM with the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from .identity import Identity, SignedIn
from .ports import PolicyLike
from .render import escape

logger = logging.getLogger(__name__)

HOME_ACTION_PREFIX = "hms_home_"

# permission -> (button title, request text sent to the assistant)
QUICK_ACTIONS: Mapping[str, tuple[str, str]] = {
    "beds:read": ("Free beds", "show me free beds"),
    "appointments:book": ("Book an appointment", "book an appointment"),
    "patients:locate": ("Find a patient", "find a patient"),
    "help:request": ("Request a porter", "I need a porter"),
    "help:read": ("My help requests", "what is the status of my help requests"),
    "handoff:request": ("Talk to the help desk", "I want to talk to a person"),
}


def load_default_policy() -> PolicyLike | None:
    """The shipped role policy, or None when the RBAC package is not available."""
    try:
        from assistant.rbac.policy import load_policy
    except ImportError:
        return None
    try:
        return load_policy()
    except Exception as exc:
        logger.warning("role policy could not be loaded: %s", type(exc).__name__)
        return None


def _describe(policy: Any, permission: str) -> str:
    spec = getattr(policy, "permissions", {}).get(permission)
    return str(getattr(spec, "description", "") or permission)


def home_view(identity: Identity, policy: PolicyLike | None) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "HMS Staff Assistant"}}
    ]
    if not isinstance(identity, SignedIn):
        blocks.append(_text(identity.message))
        return {"type": "home", "blocks": blocks}
    roles = sorted(identity.staff.roles)
    blocks.append(
        _text(
            f"Signed in as *{escape(identity.username)}* "
            f"({escape(', '.join(roles) or 'no role')}). "
            "Message me here, mention me in a channel, or use `/hms <request>` anywhere."
        )
    )
    granted = sorted(policy.permissions_for(roles)) if policy is not None else []
    if granted:
        lines = "\n".join(f"• {escape(_describe(policy, p))}" for p in granted)
        blocks.append(_text(f"*What you can do*\n{lines}"))
    elif policy is None:
        blocks.append(_text("Ask me what I can do for you."))
    else:
        blocks.append(_text("Your role has no assistant permissions yet."))
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": title},
            "action_id": f"{HOME_ACTION_PREFIX}{i}",
            "value": request,
        }
        for i, (title, request) in enumerate(
            QUICK_ACTIONS[p] for p in QUICK_ACTIONS if p in granted
        )
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"type": "home", "blocks": blocks}


def _text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


PolicyLoader = Callable[[], PolicyLike | None]
