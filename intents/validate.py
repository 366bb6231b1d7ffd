"""Cross-check the intent catalog against the rest of the repository.

``python -m intents.validate [--root DIR]`` checks that:
- the catalog is self-consistent (fixed intent names, ``action_<intent>``, forms, PHI);
- every intent has NLU examples (>= 40 per task intent, >= 15 per conversation intent),
  no examples exist for unknown intents, and annotated entities are ones the intent lists;
- ``domain/`` lists every intent and entity (and the actions and forms, once the dialogue
  domain declares any);
- every action the generated domain lists is registered by the action server (skipped
  with a warning when the ``actions`` package cannot be imported);
- the generated files (``python -m intents generate``) are up to date;
- every permission exists in the role policy ``assistant/rbac/policy.yml``.
Exits 1 with one line per problem, 0 when clean (warnings are printed but do not fail).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents import yamlfile
from intents.catalog import Catalog, CatalogError, check_consistency, load_catalog

ROOT = Path(__file__).resolve().parent.parent
MIN_TASK_EXAMPLES = 40
MIN_CONVERSATION_EXAMPLES = 15
_ENTITY = re.compile(r"\[[^\]]+\](?:\((?P<plain>[\w-]+)(?::[^)]*)?\)|\{(?P<json>[^}]*)\})")
_JSON_ENTITY = re.compile(r'"entity"\s*:\s*"(?P<name>[\w-]+)"')


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class NluData:
    counts: Counter[str]
    entities: dict[str, set[str]]


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml"))


def _items(examples: Any) -> list[str]:
    if not isinstance(examples, str):
        return []
    return [ln.strip()[2:] for ln in examples.splitlines() if ln.strip().startswith("- ")]


def read_nlu(folder: Path) -> NluData:
    counts: Counter[str] = Counter()
    entities: dict[str, set[str]] = defaultdict(set)
    for path in _yaml_files(folder):
        data = yamlfile.safe_load(path.read_text()) or {}
        for block in data.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            intent = str(block["intent"])
            for text in _items(block.get("examples")):
                counts[intent] += 1
                for match in _ENTITY.finditer(text):
                    name = match.group("plain")
                    if name is None:
                        found = _JSON_ENTITY.search(match.group("json") or "")
                        name = found.group("name") if found else None
                    if name:
                        entities[intent].add(name)
    return NluData(counts, dict(entities))


def check_training_data(catalog: Catalog, nlu_dir: Path, report: Report) -> None:
    if not nlu_dir.is_dir():
        report.errors.append(f"training data: {nlu_dir} does not exist")
        return
    data = read_nlu(nlu_dir)
    for name in sorted(set(data.counts) - set(catalog.names())):
        report.errors.append(f"training data: examples for intent {name!r} not in the catalog")
    for intent in catalog.intents:
        have = data.counts.get(intent.name, 0)
        need = MIN_TASK_EXAMPLES if intent.is_task else MIN_CONVERSATION_EXAMPLES
        if have < need:
            report.errors.append(
                f"training data: {intent.name} has {have} examples, needs at least {need}"
            )
        extra = data.entities.get(intent.name, set()) - set(intent.entities)
        if extra:
            report.errors.append(
                f"training data: {intent.name} examples annotate "
                f"{sorted(extra)} which the catalog does not list for it"
            )


def _domain(domain_dir: Path) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {
        "intents": set(),
        "entities": set(),
        "actions": set(),
        "forms": set(),
    }
    declared: set[str] = set()
    for path in _yaml_files(domain_dir):
        data = yamlfile.safe_load(path.read_text()) or {}
        for key in merged:
            value = data.get(key)
            if value is None:
                continue
            declared.add(key)
            items = value if isinstance(value, list) else list(value)
            for item in items:
                merged[key].add(next(iter(item)) if isinstance(item, dict) else str(item))
    merged["_declared"] = declared
    return merged


def check_domain(catalog: Catalog, domain_dir: Path, report: Report) -> None:
    if not domain_dir.is_dir():
        report.errors.append(f"domain: {domain_dir} does not exist")
        return
    domain = _domain(domain_dir)
    for name in sorted(set(catalog.names()) - domain["intents"]):
        report.errors.append(f"domain: intent {name!r} is not listed in domain/")
    for name in sorted(domain["intents"] - set(catalog.names())):
        report.errors.append(f"domain: intent {name!r} is not in the catalog")
    for name in sorted(catalog.entities() - domain["entities"]):
        report.errors.append(f"domain: entity {name!r} is not listed in domain/")
    for key, wanted in (("actions", catalog.actions()), ("forms", catalog.forms())):
        if key not in domain["_declared"]:
            report.warnings.append(f"domain: no {key} declared in domain/ yet; not checked")
            continue
        for name in sorted(wanted - domain[key]):
            report.errors.append(f"domain: {key[:-1]} {name!r} is not listed in domain/")


def registered_actions(package: str = "actions") -> set[str]:
    """Names of the rasa-sdk actions the action server registers (``actions.server``)."""
    server = importlib.import_module(f"{package}.server")
    executor = server.build_executor()
    return {a.name for a in executor.list_actions()}


def check_actions(catalog: Catalog, report: Report, package: str = "actions") -> None:
    """Every custom action the generated domain lists (task actions, form validators,
    questions, the dialogue's own) is registered by the action server."""
    from intents.generate import domain as generated_domain

    try:
        names = registered_actions(package)
    except (Exception, SystemExit) as exc:  # a broken action server is an error, said clearly
        report.errors.append(
            f"actions: cannot import {package!r} ({type(exc).__name__}: "
            f"{exc}); action registration not checked"
        )
        return
    wanted = set(generated_domain(catalog)["actions"]) | catalog.actions()
    for name in sorted(wanted - names):
        report.errors.append(f"actions: {name!r} is not registered by the {package!r} package")


def policy_permissions(path: Path) -> set[str]:
    """Permissions granted by any role in ``roles: {<role>: {permissions: [...]}}``."""
    data = yamlfile.safe_load(path.read_text()) or {}
    found: set[str] = set()
    roles = data.get("roles") or {}
    for role in roles.values() if isinstance(roles, dict) else roles:
        if isinstance(role, dict):
            found.update(str(p) for p in role.get("permissions") or [])
    return found


def check_policy(catalog: Catalog, policy_path: Path, report: Report) -> None:
    if not policy_path.exists():
        report.errors.append(f"policy: {policy_path} does not exist")
        return
    granted = policy_permissions(policy_path)
    for intent in catalog.intents:
        if intent.permission and intent.permission not in granted:
            report.errors.append(
                f"policy: {intent.name} needs {intent.permission!r}, which no "
                f"role in {policy_path.name} grants"
            )


def validate(root: Path = ROOT, check_action_package: bool = True) -> Report:
    report = Report()
    try:
        catalog = load_catalog(root / "intents" / "catalog.yml")
    except CatalogError as exc:
        report.errors.append(f"catalog: {exc}")
        return report
    report.errors += check_consistency(catalog)
    check_training_data(catalog, root / "training_data" / "nlu", report)
    check_domain(catalog, root / "domain", report)
    if check_action_package:
        check_actions(catalog, report)
    check_policy(catalog, root / "assistant" / "rbac" / "policy.yml", report)
    check_generated(catalog, root, report)
    return report


def check_generated(catalog: Catalog, root: Path, report: Report) -> None:
    from intents.generate import render

    for rel, text in render(catalog).items():
        path = root / rel
        if not path.exists() or path.read_text() != text:
            report.errors.append(f"generated: {rel} is out of date (python -m intents generate)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m intents.validate", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument(
        "--skip-actions", action="store_true", help="do not import the actions package"
    )
    args = parser.parse_args(argv)
    if str(args.root) not in sys.path:
        sys.path.insert(0, str(args.root))
    report = validate(args.root, check_action_package=not args.skip_actions)
    for line in report.warnings:
        print(f"WARNING: {line}", file=sys.stderr)
    for line in report.errors:
        print(f"ERROR: {line}", file=sys.stderr)
    print("intent catalog: OK" if report.ok else f"intent catalog: {len(report.errors)} error(s)")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
