"""The intent catalog (``intents/catalog.yml``) as frozen dataclasses.

Intents are data: each entry names the intent, what it does, the permission it needs
(``resource:verb`` from the role policy), whether its answers carry PHI, the entities it
uses, and the action / form that carries it out. ``load_catalog`` parses and checks the
file's own consistency; ``intents.validate`` cross-checks it against the rest of the repo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CATALOG_PATH = Path(__file__).resolve().parent / "catalog.yml"

TASK_INTENTS = (
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
    "list_appointments",
    "check_bed_availability",
    "update_bed_status",
    "request_help",
    "check_request_status",
    "find_patient",
    "talk_to_human",
    "emergency",
    "ask_capabilities",
)
CONVERSATION_INTENTS = (
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "thank",
    "stop",
    "inform",
    "out_of_scope",
)
ENTITIES = (
    "patient_name",
    "mrn",
    "department",
    "clinician",
    "time",
    "ward",
    "bed",
    "bed_type",
    "bed_status",
    "help_type",
    "urgency",
    "ticket_id",
)
KINDS = ("task", "conversation")
_PERMISSION = re.compile(r"^[a-z_]+:[a-z_]+$")


class CatalogError(Exception):
    """The catalog file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Intent:
    name: str
    kind: str  # task | conversation
    description: str
    permission: str | None
    phi: bool
    entities: tuple[str, ...]
    action: str | None
    form: str | None
    example: str

    @property
    def is_task(self) -> bool:
        return self.kind == "task"


@dataclass(frozen=True)
class Catalog:
    intents: tuple[Intent, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents)

    def get(self, name: str) -> Intent:
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)

    def tasks(self) -> tuple[Intent, ...]:
        return tuple(i for i in self.intents if i.is_task)

    def permissions(self) -> frozenset[str]:
        return frozenset(i.permission for i in self.intents if i.permission)

    def actions(self) -> frozenset[str]:
        return frozenset(i.action for i in self.intents if i.action)

    def forms(self) -> frozenset[str]:
        return frozenset(i.form for i in self.intents if i.form)

    def entities(self) -> frozenset[str]:
        return frozenset(e for i in self.intents for e in i.entities)


def _intent(raw: Any, index: int) -> Intent:
    if not isinstance(raw, dict) or "name" not in raw:
        raise CatalogError(f"intents[{index}]: expected a mapping with a 'name'")
    name = str(raw["name"])
    missing = [k for k in ("kind", "description", "phi", "entities", "example") if k not in raw]
    if missing:
        raise CatalogError(f"{name}: missing field(s) {', '.join(missing)}")
    entities = raw.get("entities") or []
    if not isinstance(entities, list):
        raise CatalogError(f"{name}: 'entities' must be a list")
    if not isinstance(raw["phi"], bool):
        raise CatalogError(f"{name}: 'phi' must be true or false")
    return Intent(
        name=name,
        kind=str(raw["kind"]),
        description=str(raw["description"]).strip(),
        permission=raw.get("permission") or None,
        phi=raw["phi"],
        entities=tuple(str(e) for e in entities),
        action=raw.get("action") or None,
        form=raw.get("form") or None,
        example=str(raw["example"]),
    )


def check_consistency(catalog: Catalog) -> list[str]:
    """Problems within the catalog itself (naming rules, fixed intent set, fields)."""
    problems: list[str] = []
    names = catalog.names()
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"catalog: intent {dup!r} is listed more than once")
    expected = set(TASK_INTENTS) | set(CONVERSATION_INTENTS)
    for name in sorted(expected - set(names)):
        problems.append(f"catalog: required intent {name!r} is missing")
    for name in sorted(set(names) - expected):
        problems.append(f"catalog: unknown intent {name!r} (intent names are fixed)")
    for i in catalog.intents:
        if i.kind not in KINDS:
            problems.append(f"catalog: {i.name}: kind {i.kind!r} is not one of {KINDS}")
        want_kind = "task" if i.name in TASK_INTENTS else "conversation"
        if i.name in expected and i.kind != want_kind:
            problems.append(f"catalog: {i.name}: kind must be {want_kind!r}")
        if i.permission and not _PERMISSION.match(i.permission):
            problems.append(f"catalog: {i.name}: permission {i.permission!r} is not resource:verb")
        if i.is_task and i.action != f"action_{i.name}":
            problems.append(f"catalog: {i.name}: action must be 'action_{i.name}'")
        if not i.is_task and (i.action or i.permission or i.form):
            problems.append(
                f"catalog: {i.name}: conversation intents have no action, permission or form"
            )
        if i.form and i.form != f"{i.name}_form":
            problems.append(f"catalog: {i.name}: form must be named '{i.name}_form'")
        for entity in i.entities:
            if entity not in ENTITIES:
                problems.append(f"catalog: {i.name}: unknown entity {entity!r}")
        if i.phi and not i.permission:
            problems.append(f"catalog: {i.name}: a PHI intent needs a permission")
    return problems


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Parse the catalog file; raise ``CatalogError`` if it is malformed."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        raise CatalogError(f"{path}: expected a mapping with an 'intents' list")
    return Catalog(tuple(_intent(raw, n) for n, raw in enumerate(data["intents"])))
