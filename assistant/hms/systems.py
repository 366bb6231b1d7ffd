"""Identifier and code systems of the hospital's FHIR server, and its MRN format: settings.

The defaults are the reference HMS's (``urn:hms:*``); a hospital's FHIR server is mapped
by setting ``HMS_MRN_SYSTEM``, ``HMS_STAFF_SYSTEM``, ``HMS_WARD_SYSTEM``, ``HMS_BED_SYSTEM``,
``HMS_TICKET_SYSTEM``, ``HMS_ROLE_SYSTEM`` (and the bed-feature, service-type and help-type
code systems), and ``HMS_MRN_PATTERN``. The reference HMS reads the same variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DEFAULT_MRN_PATTERN = r"\d{8}"


@dataclass(frozen=True)
class IdentifierSystems:
    mrn: str = "urn:hms:mrn"
    staff: str = "urn:hms:staff"
    ward: str = "urn:hms:ward"
    bed: str = "urn:hms:bed"
    ticket: str = "urn:hms:ticket"
    role: str = "urn:hms:role"
    bed_feature: str = "urn:hms:bed-feature"
    service_type: str = "urn:hms:service-type"
    help_type: str = "urn:hms:help-type"
    mrn_pattern: str = DEFAULT_MRN_PATTERN

    def __post_init__(self) -> None:
        try:
            re.compile(self.mrn_pattern)
        except re.error as exc:
            raise ValueError(f"HMS_MRN_PATTERN is not a regular expression: {exc}") from None

    @classmethod
    def from_settings(cls, settings: Any) -> IdentifierSystems:
        """From ``assistant.config.Settings`` (``hms_<name>_system``, ``hms_mrn_pattern``)."""
        defaults = cls()
        values = {
            name: getattr(settings, f"hms_{name}_system", None) or getattr(defaults, name)
            for name in SYSTEM_NAMES
        }
        pattern = getattr(settings, "hms_mrn_pattern", None) or DEFAULT_MRN_PATTERN
        return cls(**values, mrn_pattern=pattern)

    def mrn_ok(self, value: str) -> bool:
        return re.fullmatch(self.mrn_pattern, value.strip()) is not None


SYSTEM_NAMES = (
    "mrn",
    "staff",
    "ward",
    "bed",
    "ticket",
    "role",
    "bed_feature",
    "service_type",
    "help_type",
)
DEFAULT_SYSTEMS = IdentifierSystems()
