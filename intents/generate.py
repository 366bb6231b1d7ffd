"""Generate the Rasa domain's catalog part and every rule from ``intents/catalog.yml``.

``python -m intents generate`` writes
- ``domain/catalog.yml``: intents, entities, slots with their mappings (``from_entity`` only
  for the intents that list the entity, ``from_text`` only while a form asks for that slot,
  never for another task's message), the bookkeeping slots (set by actions only), forms and
  actions;
- ``training_data/rules.yml``: every rule (task intents, form submission, conversation
  intents and their behaviour while a form waits, fallback).
``--check`` writes nothing and exits 1 when a committed file differs from what it would
write. Responses and session settings are hand-written in ``domain/dialogue.yml``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from intents.catalog import Catalog, Form, Intent, load_catalog
from intents.state import CHOICE_ENTITIES, STATE_SLOTS

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "# GENERATED from intents/catalog.yml by `python -m intents generate` - do not edit.\n"
    "# Change the catalog (or intents/generate.py) and run the generator again; CI runs\n"
    "# `python -m intents generate --check`.\n"
)
FLOW_ACTIONS = (
    "action_new_request",
    "action_continue",
    "action_fallback",
    "action_default_fallback",
)
NEW_REQUEST = "action_new_request"


class _Dumper(yaml.SafeDumper):
    """Block-style YAML with indented lists (Rasa's own files look like this)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)


# -- domain -------------------------------------------------------------------------------


def _answer_intents(catalog: Catalog, form: Form, free_text: bool) -> set[str]:
    """Intents whose text may answer a form's question: inform (and NLU fallback, which is
    no intent); for free text anything but stopping and an emergency."""
    if free_text:
        return {i.name for i in catalog.intents} - {"stop", "emergency"}
    return {"inform"}


def _slot_mappings(catalog: Catalog, slot: str) -> list[dict[str, Any]]:
    spec = catalog.slot(slot)
    mappings: list[dict[str, Any]] = []
    for entity in spec.entities:
        wanted = sorted(catalog.intents_with_entity(entity))
        mappings.append({"type": "from_entity", "entity": entity, "intent": wanted})
    for form in catalog.all_forms():
        if slot not in form.required:
            continue
        answers = _answer_intents(catalog, form, spec.free_text)
        mappings.append(
            {
                "type": "from_text",
                "not_intent": [n for n in catalog.names() if n not in answers],
                "conditions": [{"active_loop": form.name, "requested_slot": slot}],
            }
        )
    return mappings


def _intent_entry(intent: Intent) -> Any:
    return intent.name if intent.entities else {intent.name: {"use_entities": []}}


def domain(catalog: Catalog) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for spec in catalog.slots:
        slots[spec.name] = {
            "type": "text",
            "influence_conversation": False,
            "mappings": _slot_mappings(catalog, spec.name) or [{"type": "custom"}],
        }
    for name in STATE_SLOTS:
        slots[name] = {
            "type": "any",
            "influence_conversation": False,
            "mappings": [{"type": "custom"}],
        }
    forms = catalog.all_forms()
    asked = sorted({s for f in forms for s in f.required})
    actions = [i.action for i in catalog.tasks() if i.action]
    actions += [
        i.reply for i in catalog.conversation() if i.reply and i.reply.startswith("action_")
    ]
    actions += [f"validate_{f.name}" for f in forms]
    actions += [f"action_ask_{s}" for s in asked]
    actions += list(FLOW_ACTIONS)
    return {
        "version": "3.1",
        "intents": [_intent_entry(i) for i in catalog.intents],
        "entities": sorted(catalog.entities()) + list(CHOICE_ENTITIES),
        "slots": slots,
        "forms": {f.name: {"required_slots": list(f.required)} for f in forms},
        "actions": list(dict.fromkeys(actions)),
    }


# -- rules --------------------------------------------------------------------------------


def _rule(name: str, steps: list[dict[str, Any]], condition: list[Any] | None = None) -> Any:
    rule: dict[str, Any] = {"rule": name}
    if condition:
        rule["condition"] = condition
    rule["steps"] = steps
    return rule


def _start(intent: Intent) -> list[dict[str, Any]]:
    if intent.form:
        return [{"action": intent.form.name}, {"active_loop": intent.form.name}]
    return [{"action": intent.action}]


def rules(catalog: Catalog) -> dict[str, Any]:
    out: list[Any] = []
    steps: list[dict[str, Any]]
    begin: list[dict[str, Any]]
    forms = catalog.all_forms()
    for intent in catalog.tasks():
        if intent.name == "emergency" or intent.name == "talk_to_human":
            # these end whatever was going on themselves (and clear every task slot)
            steps = [{"intent": intent.name}, {"action": intent.action}, {"active_loop": None}]
            out.append(_rule(f"{intent.name}, in any state", steps))
            continue
        begin = [{"intent": intent.name}, {"action": NEW_REQUEST}, {"active_loop": None}]
        out.append(_rule(f"{intent.name}: a new request", begin + _start(intent)))
        for form in forms:
            if form.intent == intent.name:
                continue  # its own intent mid-form adds details (the form takes it)
            out.append(
                _rule(
                    f"{intent.name} while {form.name} waits: served, then offered to resume",
                    begin + _start(intent),
                    [{"active_loop": form.name}],
                )
            )
    for form in forms:
        owner = catalog.get(form.intent)
        out.append(
            _rule(
                f"{form.name} complete: {owner.action}",
                [
                    {"action": form.name},
                    {"active_loop": None},
                    {"slot_was_set": [{"requested_slot": None}]},
                    {"action": owner.action},
                ],
                [{"active_loop": form.name}],
            )
        )
    for intent in catalog.conversation():
        steps = [{"intent": intent.name}, {"action": intent.reply}]
        if intent.mid_form == "interrupt":
            steps.append({"active_loop": None})
        out.append(_rule(intent.name, steps))
        if intent.mid_form == "chitchat":
            for form in forms:
                out.append(
                    _rule(
                        f"{intent.name} while {form.name} waits: answered, question again",
                        [
                            {"intent": intent.name},
                            {"action": intent.reply},
                            {"action": form.name},
                            {"active_loop": form.name},
                        ],
                        [{"active_loop": form.name}],
                    )
                )
    for form in forms:
        if any(catalog.slot(s).free_text for s in form.required):
            # a free-text question takes any wording; a bare "no" / "cancel" leaves it
            out.append(
                _rule(
                    f"no while {form.name} asks for free text: stop",
                    [{"intent": "deny"}, {"action": "action_stop"}, {"active_loop": None}],
                    [{"active_loop": form.name}],
                )
            )
    out.append(
        _rule(
            "not understood: say so, then offer choices, then a person",
            [{"intent": "nlu_fallback"}, {"action": "action_fallback"}],
        )
    )
    return {"version": "3.1", "rules": out}


# -- files --------------------------------------------------------------------------------

OUTPUTS: dict[str, Callable[[Catalog], dict[str, Any]]] = {
    "domain/catalog.yml": domain,
    "training_data/rules.yml": rules,
}


def render(catalog: Catalog) -> dict[str, str]:
    return {path: HEADER + _dump(build(catalog)) for path, build in OUTPUTS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m intents generate", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file would change"
    )
    args = parser.parse_args(argv)
    catalog = load_catalog(args.root / "intents" / "catalog.yml")
    stale = []
    for rel, text in render(catalog).items():
        path = args.root / rel
        current = path.read_text() if path.exists() else None
        if current == text:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if args.check:
        for rel in stale:
            print(f"out of date: {rel} (run `python -m intents generate`)", file=sys.stderr)
        return 1 if stale else 0
    print("\n".join(f"wrote {rel}" for rel in stale) or "generated files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
