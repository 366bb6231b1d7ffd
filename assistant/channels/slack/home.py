"""The App Home tab: per role, what the staff member can do, examples to tap, their open
requests and watches.

What each role can do comes from the intent catalog (``intents/catalog.yml``) and the role
policy (``assistant.rbac.policy``) through ``assistant.onboarding.guide`` - no hand-kept
list here. Quick-action buttons send a ready-made request to the assistant in the user's
DM with the app.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .identity import Identity, SignedIn
from .ports import PolicyLike
from .render import escape

logger = logging.getLogger(__name__)

HOME_ACTION_PREFIX = "hms_home_"
MAX_BUTTONS = 10


@dataclass(frozen=True)
class HomeExtras:
    """What the home tab shows besides the role guide (read by the caller, async)."""

    open_requests: Sequence[Any] = ()  # assistant.onboarding.service.OpenRequest
    watches: Sequence[dict[str, Any]] = ()
    shown: frozenset[str] = field(default_factory=frozenset)  # "requests", "watches"
    practice: bool | None = None  # None: practice mode is not offered here


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


def _catalog() -> Any:
    from intents.catalog import load_catalog

    return load_catalog()


def home_view(
    identity: Identity,
    policy: PolicyLike | None,
    extras: HomeExtras | None = None,
    catalog: Any = None,
) -> dict[str, Any]:
    from assistant.onboarding.guide import role_guide

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "HMS Staff Assistant"}}
    ]
    if not isinstance(identity, SignedIn):
        blocks.append(_text(identity.message))
        return {"type": "home", "blocks": blocks}
    roles = sorted(identity.staff.roles)
    if policy is None:
        blocks.append(_text(f"Signed in as *{escape(identity.username)}*."))
        blocks.append(_text("Ask me what I can do for you."))
        return {"type": "home", "blocks": blocks}
    guide = role_guide(identity.username, roles, policy, catalog or _catalog())
    names = ", ".join(guide.role_names or guide.roles) or "no role"
    blocks.append(
        _text(
            f"Signed in as *{escape(identity.username)}* ({escape(names)}). "
            "Message me here, mention me in a channel, or use `/hms <request>` anywhere."
        )
    )
    if guide.capabilities:
        lines = "\n".join(
            f"• *{escape(c.title)}*: {escape(c.text)}. _e.g._ “{escape(c.example)}”"
            for c in guide.capabilities
        )
        blocks.append(_text(f"*What you can do*\n{lines}"))
        buttons = [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": c.button[:75]},
                "action_id": f"{HOME_ACTION_PREFIX}{i}",
                "value": c.say[:2000],
            }
            for i, c in enumerate(guide.capabilities[:MAX_BUTTONS])
        ]
        blocks.append({"type": "actions", "elements": buttons})
    else:
        blocks.append(_text("Your role has no assistant tasks yet."))
    if extras is not None and "requests" in extras.shown:
        blocks.append(_text(_requests(extras.open_requests)))
    if extras is not None and "watches" in extras.shown:
        blocks.append(_text(_watches(extras.watches)))
    if extras is not None and extras.practice is not None:
        blocks.extend(_practice(extras.practice))
    return {"type": "home", "blocks": blocks}


def _practice(on: bool) -> list[dict[str, Any]]:
    text = (
        "*Practice mode is on*: your conversations use a training hospital, nothing is real."
        if on
        else "*Practice mode*: try the assistant on a training hospital with made-up "
        "patients, with a short guided tour. Nothing you do there is real."
    )
    button = {
        "type": "button",
        "text": {
            "type": "plain_text",
            "text": "Leave practice mode" if on else "Try practice mode",
        },
        "action_id": f"{HOME_ACTION_PREFIX}practice",
        "value": "/practice_off" if on else "/practice_on",
    }
    return [_text(text), {"type": "actions", "elements": [button]}]


def _requests(items: Sequence[Any]) -> str:
    if not items:
        return "*Your open requests*\nNone right now."
    lines = []
    for r in items:
        priority = f", {r.priority}" if getattr(r, "priority", None) else ""
        lines.append(f"• `{escape(r.ticket_id)}` {escape(r.what)}: {escape(r.status)}{priority}")
    return "*Your open requests*\n" + "\n".join(lines)


def _watches(items: Sequence[dict[str, Any]]) -> str:
    if not items:
        return "*Your bed watches*\nNone. Ask me to tell you when a bed is free on a ward."
    lines = [f"• {escape(str(w.get('text') or w.get('ward') or w))}" for w in items]
    return "*Your bed watches*\n" + "\n".join(lines)


def extras_from(onboarding: Any, practice: Any = None) -> Callable[[str], Awaitable[HomeExtras]]:
    """Reads a staff member's open requests and watches through ``assistant.onboarding``
    (and whether they are in practice mode, ``assistant.practice``)."""

    async def read(staff: str) -> HomeExtras:
        requests = await onboarding.open_requests(staff, "slack")
        watches = await onboarding.watches(staff)
        on = await practice.is_on(staff) if practice is not None and practice.available else None
        return HomeExtras(requests, watches, frozenset({"requests", "watches"}), on)

    return read


def _text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


PolicyLoader = Callable[[], PolicyLike | None]
HomeExtrasReader = Callable[[str], Awaitable[HomeExtras]]
