"""``role_guide``: the tasks a set of roles may ask for, read from the catalog and policy.

Titles are the catalog's ``label``, the text its ``capability`` (an intent without one,
e.g. cancelling, which booking's capability covers, shows its ``description``), buttons its
``quick_action`` (or the label and example).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

WELCOME_KIND = "onboarding_welcome"


@dataclass(frozen=True)
class Capability:
    intent: str
    title: str  # what staff call it ("Find a free bed")
    text: str  # what it does ("find free beds by ward or bed type")
    example: str  # an example request, to read ("any free side rooms on 4B")
    button: str  # the tappable button's title ("Free beds")
    say: str  # what tapping it sends ("show me free beds")
    phi: bool
    common: bool = False  # the catalog gives it a quick action (a role's everyday task)


@dataclass(frozen=True)
class RoleGuide:
    staff: str
    roles: tuple[str, ...]
    role_names: tuple[str, ...]  # the policy's descriptions ("Ward nurse")
    capabilities: tuple[Capability, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "staff": self.staff,
            "roles": list(self.roles),
            "role_names": list(self.role_names),
            "capabilities": [
                {
                    "intent": c.intent,
                    "title": c.title,
                    "text": c.text,
                    "example": c.example,
                    "button": c.button,
                    "say": c.say,
                    "phi": c.phi,
                    "common": c.common,
                }
                for c in self.capabilities
            ],
        }


def short_title(text: str, limit: int = 32) -> str:
    """A button-sized title from a description: its first clause, cut at a word."""
    head = re.sub(r"\s*\([^)]*\)", "", text.strip().split(". ")[0].rstrip("."))
    head = head.split(", ")[0]
    if len(head) <= limit:
        return head
    return head[:limit].rsplit(" ", 1)[0] + "\u2026"


def capability_of(intent: Any) -> Capability:
    """An intent of the catalog (``intents.catalog.Intent``) as a task the staff member
    can ask for."""
    quick = intent.quick_action
    title = intent.label or short_title(intent.description)
    text = intent.capability or intent.description.rstrip(".")
    return Capability(
        intent=intent.name,
        title=str(title),
        text=str(text),
        example=str(intent.example),
        button=str(quick.title if quick else title),
        say=str(quick.text if quick else intent.example),
        phi=bool(intent.phi),
        common=quick is not None,
    )


def role_guide(staff: str, roles: Iterable[str], policy: Any, catalog: Any) -> RoleGuide:
    """The task intents whose permission one of ``roles`` grants, in catalog order."""
    ordered = tuple(sorted(set(roles)))
    granted = policy.permissions_for(ordered)
    capabilities = tuple(
        capability_of(i) for i in catalog.tasks() if i.permission and i.permission in granted
    )
    names = tuple(
        str(getattr(policy.roles.get(r), "description", r) or r)
        for r in ordered
        if r in policy.roles
    )
    return RoleGuide(staff, ordered, names, capabilities)


def common_first(guide: RoleGuide) -> tuple[Capability, ...]:
    """The role's tasks with its everyday ones (catalog quick actions) first."""
    return tuple(sorted(guide.capabilities, key=lambda c: not c.common))


def welcome_text(guide: RoleGuide, emergency_number: str) -> str:
    """The first message: who they are to the assistant and what to try."""
    who = " and ".join(n.lower() for n in guide.role_names) or "member of staff"
    if not guide.capabilities:
        return (
            f"Hello! You are signed in as a {who}, and your role has no assistant tasks yet. "
            f"In an emergency call {emergency_number}."
        )
    things = "; ".join(c.text[:1].lower() + c.text[1:] for c in guide.capabilities[:6])
    return (
        f"Hello! I'm the hospital's staff assistant. You're signed in as {who}, and you can "
        f"ask me to: {things}. "
        f"Try one of the examples below, or just say what you need. "
        f"In an emergency call {emergency_number}."
    )
