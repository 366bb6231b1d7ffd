"""The HMS directory words the recogniser must know: wards, departments, clinicians."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

HELP_TYPES = ("porter", "it", "housekeeping", "maintenance", "other")
MAX_BED = 40


@dataclass(frozen=True)
class WardEntry:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Directory:
    wards: tuple[WardEntry, ...]
    departments: tuple[str, ...] = ()
    clinicians: tuple[str, ...] = ()
    help_types: tuple[str, ...] = HELP_TYPES
    max_bed: int = MAX_BED
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def ward_codes(self) -> tuple[str, ...]:
        return tuple(w.code for w in self.wards)

    @classmethod
    def from_json(cls, path: Path) -> Directory:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            wards=tuple(
                WardEntry(w["code"], w["name"], tuple(w.get("aliases", ()))) for w in raw["wards"]
            ),
            departments=tuple(raw.get("departments", ())),
            clinicians=tuple(raw.get("clinicians", ())),
            help_types=tuple(raw.get("help_types", HELP_TYPES)),
            max_bed=int(raw.get("max_bed", MAX_BED)),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "wards": [
                    {"code": w.code, "name": w.name, "aliases": list(w.aliases)} for w in self.wards
                ],
                "departments": list(self.departments),
                "clinicians": list(self.clinicians),
                "help_types": list(self.help_types),
                "max_bed": self.max_bed,
            },
            indent=2,
        )


class DirectorySource(Protocol):
    """The part of ``assistant.hms.client.FhirHmsClient`` the build reads."""

    async def list_wards(self) -> list[Any]: ...
    async def list_services(self) -> list[Any]: ...
    async def list_staff_names(self) -> list[str]: ...


async def directory_from_hms(hms: DirectorySource) -> Directory:
    """Read wards (code, name, aliases), services and every staff member's name from the
    HMS's directory (standard FHIR searches, so any FHIR server will do)."""
    wards = await hms.list_wards()
    services = await hms.list_services()
    staff = await hms.list_staff_names()
    return Directory(
        wards=tuple(WardEntry(w.code, w.name, tuple(w.aliases)) for w in wards),
        departments=tuple(s.name for s in services),
        clinicians=tuple(staff),
    )
