"""A plan: the inserts and updates one file's import makes, in foreign-key order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hms import models

# insert order (foreign keys)
MODELS: tuple[type, ...] = (
    models.Location,
    models.Practitioner,
    models.PractitionerRole,
    models.Patient,
    models.Encounter,
    models.Schedule,
    models.Slot,
    models.Appointment,
    models.BedEvent,
)


class Rejected(Exception):
    """The record is not imported; the message is the reason."""


@dataclass
class Plan:
    inserts: dict[type, list[dict[str, Any]]] = field(default_factory=dict)
    # (model, id, new values, guard: column values that must still hold when written)
    updates: list[tuple[type, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def insert(self, model: type, values: dict[str, Any]) -> None:
        self.inserts.setdefault(model, []).append(values)

    @property
    def empty(self) -> bool:
        return not self.updates and not any(self.inserts.values())
