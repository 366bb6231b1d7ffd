"""Actions made from the catalog, and the guarded action of an intent by name.

Form validators (``validate_<form>``) and questions (``action_ask_<slot>``) are one class
each, instantiated per catalog form and slot; the action server registers them next to
the package's own actions (``actions.server.build_executor``).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from rasa_sdk import Action

from actions.base import GuardedAction
from intents.catalog import default_catalog


def _import_all() -> None:
    package = importlib.import_module("actions")
    for info in pkgutil.iter_modules(package.__path__, "actions."):
        importlib.import_module(info.name)


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


@lru_cache(maxsize=1)
def guarded_actions() -> dict[str, GuardedAction]:
    """intent -> its guarded action (one instance each)."""
    _import_all()
    out: dict[str, GuardedAction] = {}
    for cls in _subclasses(GuardedAction):
        intent = getattr(cls, "intent", None)
        serves = getattr(cls, "serves_intent", True)  # False: another action of its intent
        if intent and serves and not getattr(cls, "__abstractmethods__", None):
            out.setdefault(intent, cls())
    return out


def guarded_action(intent: str) -> GuardedAction:
    return guarded_actions()[intent]


@lru_cache(maxsize=1)
def catalog_actions() -> tuple[Action, ...]:
    """One validator per catalog form and one question action per asked slot."""
    from actions.asks import ask_action
    from actions.forms import form_validator

    catalog = default_catalog()
    forms = catalog.all_forms()
    asked = sorted({s for f in forms for s in f.required})
    return tuple([form_validator(f.name)() for f in forms] + [ask_action(s)() for s in asked])
