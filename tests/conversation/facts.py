"""Check replies against the typed reply facts (``assistant.conversation.kinds``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, get_type_hints

from assistant.conversation.kinds import data_type


def misfits(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """Kinds (with the offending keys) whose ``custom.data`` does not fit the declared type:
    a required key missing or a key the type does not declare. Untyped kinds pass."""
    wrong = []
    for message in messages:
        custom = message.get("custom") or message.get("json_message") or {}
        kind, data = str(custom.get("kind") or ""), custom.get("data") or {}
        typed: Any = data_type(kind)
        if typed is None:
            continue
        keys, allowed = set(data), set(get_type_hints(typed))
        missing, extra = typed.__required_keys__ - keys, keys - allowed
        if missing or extra:
            wrong.append(f"{kind}: missing {sorted(missing)}, undeclared {sorted(extra)}")
    return wrong
