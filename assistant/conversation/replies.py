"""A reply and its buttons, as Rasa's REST output shapes them.

``custom`` carries the reply facts contract (docs/architecture.md): ``{"phi": bool,
"kind": str, "data": {...}}``; ``assistant.conversation.kinds`` types ``data`` per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def kind(self) -> str:
        """``custom.kind`` ("" when the reply carries no facts)."""
        return str((self.custom or {}).get("kind") or "")

    @property
    def data(self) -> dict[str, Any]:
        """``custom.data`` ({} when absent or not an object)."""
        data = (self.custom or {}).get("data")
        return data if isinstance(data, dict) else {}

    @property
    def phi(self) -> bool:
        """Whether the reply carries protected health information (``custom.phi``)."""
        return bool((self.custom or {}).get("phi"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        if self.custom:
            out["custom"] = self.custom
        return out
