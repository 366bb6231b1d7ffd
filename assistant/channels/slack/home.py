"""The App Home tab: what the signed-in staff member's roles allow, with quick actions.

Permissions come from the role policy (``assistant.rbac.policy``); quick-action buttons
(from the intent catalog, ``intents/catalog.yml``) send a ready-made request to the
assistant in the user's DM with the app.
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


def quick_actions() -> Mapping[str, tuple[str, str]]:
    """permission -> (button title, request text): the intent catalog's quick actions."""
    from intents.catalog import default_catalog

    return {
        i.permission: (i.quick_action.title, i.quick_action.text)
        for i in default_catalog().tasks()
        if i.quick_action and i.permission
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
            action for permission, action in quick_actions().items() if permission in granted
        )
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"type": "home", "blocks": blocks}


def _text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


PolicyLoader = Callable[[], PolicyLike | None]
