"""The intent catalog (``intents/catalog.yml``) as frozen dataclasses.

Intents are data: each entry names the intent, what staff call it, what it does, the
permission it needs (``resource:verb`` from the role policy), whether its answers carry
PHI, the entities it uses, the action that carries it out and the form that collects its
details. ``load_catalog`` parses the file and ``check_consistency`` checks its own rules;
``intents.validate`` cross-checks it against the rest of the repository and
``intents.generate`` writes the domain and rules from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from intents import yamlfile

CATALOG_PATH = Path(__file__).resolve().parent / "catalog.yml"

KINDS = ("task", "conversation")
MID_FORM = ("answer", "chitchat", "interrupt")
_PERMISSION = re.compile(r"^[a-z_]+:[a-z_]+$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(Exception):
    """The catalog file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class QuickAction:
    title: str
    text: str


@dataclass(frozen=True)
class Form:
    name: str
    intent: str  # the intent whose action runs when the form is complete
    required: tuple[str, ...]
    resume: str | None = None  # "booking for {patient}"; None: not offered again
    opened_by_intent: bool = True  # False: an action opens it (a sub-form)


@dataclass(frozen=True)
class Intent:
    name: str
    kind: str  # task | conversation
    description: str
    example: str
    label: str | None = None
    capability: str | None = None
    quick_action: QuickAction | None = None
    permission: str | None = None
    phi: bool = False
    read_only: bool = False  # changes nothing: no audit-writability probe before it runs
    entities: tuple[str, ...] = ()
    action: str | None = None
    form: Form | None = None
    mid_form: str | None = None  # conversation intents
    reply: str | None = None  # conversation intents: response or action
    follow_up: bool = False  # "and friday?" right after it asks it again with that changed
    # entities that say which thing a request is about: two requests of this intent in one
    # message each name one ("mark bed 5 clean and bed 6 dirty"; assistant.clauses)
    subject: tuple[str, ...] = ()

    @property
    def is_task(self) -> bool:
        return self.kind == "task"


@dataclass(frozen=True)
class SlotButton:
    title: str
    value: str


@dataclass(frozen=True)
class SlotSpec:
    name: str
    entities: tuple[str, ...] = ()
    ask: str | None = None
    buttons: tuple[SlotButton, ...] = ()
    free_text: bool = False
    # the answer reports what happened (a break-glass reason): emergency words in it are a
    # caution (the number, then the answer is taken), not an emergency that ends the form
    reported: bool = False
    thing: str | None = None  # what an unknown value is called: unknown_<thing>
    # the question when another slot is already known ({"mrn": "And the patient's name?"})
    ask_known: tuple[tuple[str, str], ...] = ()

    def question(self, known: set[str]) -> str | None:
        """The question to ask, given the slots already filled."""
        return next((text for slot, text in self.ask_known if slot in known), self.ask)


@dataclass(frozen=True)
class Catalog:
    intents: tuple[Intent, ...]
    slots: tuple[SlotSpec, ...] = ()
    subforms: tuple[Form, ...] = ()

    def names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents)

    def get(self, name: str) -> Intent:
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)

    def find(self, name: str | None) -> Intent | None:
        return next((i for i in self.intents if i.name == name), None)

    def tasks(self) -> tuple[Intent, ...]:
        return tuple(i for i in self.intents if i.is_task)

    def conversation(self) -> tuple[Intent, ...]:
        return tuple(i for i in self.intents if not i.is_task)

    def permissions(self) -> frozenset[str]:
        return frozenset(i.permission for i in self.intents if i.permission)

    def actions(self) -> frozenset[str]:
        return frozenset(i.action for i in self.intents if i.action)

    def all_forms(self) -> tuple[Form, ...]:
        return tuple(i.form for i in self.intents if i.form) + self.subforms

    def forms(self) -> frozenset[str]:
        return frozenset(f.name for f in self.all_forms())

    def form(self, name: str | None) -> Form | None:
        return next((f for f in self.all_forms() if f.name == name), None)

    def entities(self) -> frozenset[str]:
        return frozenset(e for i in self.intents for e in i.entities)

    def slot(self, name: str) -> SlotSpec:
        for slot in self.slots:
            if slot.name == name:
                return slot
        raise KeyError(name)

    def slot_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.slots)

    def reported_slots(self) -> frozenset[str]:
        """Slots whose answer reports what happened (``reported: true``)."""
        return frozenset(s.name for s in self.slots if s.reported)

    def intents_with_entity(self, entity: str) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents if entity in i.entities)


def _str(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value is None else " ".join(str(value).split())


def _form(name: str, raw: Any, *, intent: str, by_intent: bool) -> Form:
    if not isinstance(raw, dict) or not isinstance(raw.get("required"), list):
        raise CatalogError(f"{name}: a form needs a 'required' list of slots")
    return Form(
        name=name,
        intent=intent,
        required=tuple(str(s) for s in raw["required"]),
        resume=_str(raw, "resume"),
        opened_by_intent=by_intent,
    )


def _intent(raw: Any, index: int) -> Intent:
    if not isinstance(raw, dict) or "name" not in raw:
        raise CatalogError(f"intents[{index}]: expected a mapping with a 'name'")
    name = str(raw["name"])
    missing = [k for k in ("kind", "description", "example") if k not in raw]
    if missing:
        raise CatalogError(f"{name}: missing field(s) {', '.join(missing)}")
    entities = raw.get("entities") or []
    if not isinstance(entities, list):
        raise CatalogError(f"{name}: 'entities' must be a list")
    phi = raw.get("phi", False)
    if not isinstance(phi, bool):
        raise CatalogError(f"{name}: 'phi' must be true or false")
    read_only = raw.get("read_only", False)
    if not isinstance(read_only, bool):
        raise CatalogError(f"{name}: 'read_only' must be true or false")
    quick = raw.get("quick_action")
    if quick is not None and not (isinstance(quick, dict) and {"title", "text"} <= set(quick)):
        raise CatalogError(f"{name}: 'quick_action' needs a title and a text")
    form = raw.get("form")
    return Intent(
        name=name,
        kind=str(raw["kind"]),
        description=_str(raw, "description") or "",
        example=str(raw["example"]),
        label=_str(raw, "label"),
        capability=_str(raw, "capability"),
        quick_action=QuickAction(str(quick["title"]), str(quick["text"])) if quick else None,
        permission=raw.get("permission") or None,
        phi=phi,
        read_only=read_only,
        entities=tuple(str(e) for e in entities),
        action=raw.get("action") or None,
        form=_form(f"{name}_form", form, intent=name, by_intent=True) if form else None,
        mid_form=raw.get("mid_form") or None,
        reply=raw.get("reply") or None,
        follow_up=bool(raw.get("follow_up", False)),
        subject=tuple(str(e) for e in raw.get("subject") or ()),
    )


def _slot(name: str, raw: Any) -> SlotSpec:
    if not isinstance(raw, dict):
        raise CatalogError(f"slot {name}: expected a mapping")
    entities = raw.get("entities") or ([raw["entity"]] if raw.get("entity") else [])
    buttons = raw.get("buttons") or []
    ask_known = raw.get("ask_known") or {}
    if not isinstance(ask_known, dict):
        raise CatalogError(f"slot {name}: 'ask_known' maps a known slot to a question")
    if not all(isinstance(b, dict) and {"title", "value"} <= set(b) for b in buttons):
        raise CatalogError(f"slot {name}: each button needs a title and a value")
    return SlotSpec(
        name=name,
        entities=tuple(str(e) for e in entities),
        ask=_str(raw, "ask"),
        buttons=tuple(SlotButton(str(b["title"]), str(b["value"])) for b in buttons),
        free_text=bool(raw.get("free_text", False)),
        reported=bool(raw.get("reported", False)),
        thing=_str(raw, "thing"),
        ask_known=tuple((str(k), " ".join(str(v).split())) for k, v in ask_known.items()),
    )


def check_consistency(catalog: Catalog) -> list[str]:
    """Problems within the catalog itself (naming rules, references between its parts)."""
    problems: list[str] = []
    names = catalog.names()
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"catalog: intent {dup!r} is listed more than once")
    for required in ("inform", "affirm", "deny", "stop", "emergency", "out_of_scope"):
        if required not in names:
            problems.append(f"catalog: the dialogue needs the intent {required!r}")
    slot_names = set(catalog.slot_names())
    for i in catalog.intents:
        if not _NAME.match(i.name):
            problems.append(f"catalog: intent name {i.name!r} is not lower_snake_case")
        if i.kind not in KINDS:
            problems.append(f"catalog: {i.name}: kind {i.kind!r} is not one of {KINDS}")
        if i.permission and not _PERMISSION.match(i.permission):
            problems.append(f"catalog: {i.name}: permission {i.permission!r} is not resource:verb")
        if i.is_task:
            if i.action != f"action_{i.name}":
                problems.append(f"catalog: {i.name}: action must be 'action_{i.name}'")
            if not i.label:
                problems.append(f"catalog: {i.name}: a task intent needs a label")
            if i.mid_form or i.reply:
                problems.append(f"catalog: {i.name}: mid_form/reply are for conversation intents")
            # a PHI intent a follow-up may ask again only reads; a write that takes
            # follow_up changes no patient data (a bed's status)
            if i.follow_up and i.phi and not i.read_only:
                problems.append(f"catalog: {i.name}: follow_up is for questions and non-PHI writes")
        else:
            if i.read_only:
                problems.append(f"catalog: {i.name}: read_only is for task intents")
            if i.action or i.permission or i.form:
                problems.append(
                    f"catalog: {i.name}: conversation intents have no action, permission or form"
                )
            if i.mid_form not in MID_FORM:
                problems.append(f"catalog: {i.name}: mid_form must be one of {MID_FORM}")
            if not i.reply:
                problems.append(f"catalog: {i.name}: a conversation intent needs a reply")
        for entity in i.subject:
            if entity not in i.entities:
                problems.append(f"catalog: {i.name}: subject {entity!r} is not one of its entities")
        if i.phi and not i.permission:
            problems.append(f"catalog: {i.name}: a PHI intent needs a permission")
        if i.capability and not i.permission and i.is_task:
            problems.append(f"catalog: {i.name}: a capability needs a permission to show it by")
    entities = catalog.entities()
    for form in catalog.all_forms():
        if catalog.find(form.intent) is None:
            problems.append(f"catalog: {form.name}: intent {form.intent!r} is not in the catalog")
        if not form.required:
            problems.append(f"catalog: {form.name}: a form needs at least one slot")
        for slot in form.required:
            if slot not in slot_names:
                problems.append(f"catalog: {form.name}: slot {slot!r} is not in 'slots'")
            elif not catalog.slot(slot).ask:
                problems.append(f"catalog: {form.name}: slot {slot!r} has no question ('ask')")
    for spec in catalog.slots:
        for known, _ in spec.ask_known:
            if known not in slot_names:
                problems.append(f"catalog: slot {spec.name}: ask_known names no slot {known!r}")
        for entity in spec.entities:
            if entity not in entities:
                problems.append(f"catalog: slot {spec.name}: no intent lists entity {entity!r}")
    for entity in sorted(entities - {e for s in catalog.slots for e in s.entities}):
        problems.append(f"catalog: entity {entity!r} fills no slot")
    return problems


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Parse the catalog file; raise ``CatalogError`` if it is malformed."""
    try:
        data = yamlfile.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        raise CatalogError(f"{path}: expected a mapping with an 'intents' list")
    slots = data.get("slots") or {}
    subforms = data.get("subforms") or {}
    if not isinstance(slots, dict) or not isinstance(subforms, dict):
        raise CatalogError(f"{path}: 'slots' and 'subforms' must be mappings")
    return Catalog(
        intents=tuple(_intent(raw, n) for n, raw in enumerate(data["intents"])),
        slots=tuple(_slot(str(name), raw) for name, raw in slots.items()),
        subforms=tuple(
            _form(str(name), raw, intent=str((raw or {}).get("intent", "")), by_intent=False)
            for name, raw in subforms.items()
        ),
    )


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped catalog, read once per process (on first use, never at import)."""
    return load_catalog()
