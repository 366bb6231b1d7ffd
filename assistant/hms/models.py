"""Domain objects the assistant sees of the HMS (parsed from FHIR R4 resources).

Frozen dataclasses only: actions and channels never handle raw FHIR JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

BED_STATUSES: Mapping[str, str] = {
    "U": "Unoccupied",
    "O": "Occupied",
    "H": "Housekeeping",
    "C": "Closed",
    "K": "Contaminated",
    "I": "Isolated",
}
FREE = "U"  # the only bed status that counts as free


@dataclass(frozen=True)
class Ward:
    id: str
    code: str
    name: str
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """True when ``text`` is this ward's code, id, name or an alias (case-insensitive),
        or its name without the word "ward" or "unit" ("paediatric" for "Paediatric Ward":
        staff drop the word, and it was taken for no ward at all)."""
        wanted = " ".join(text.split()).casefold()
        names = (self.code, self.id, self.name, *self.aliases)
        if any(wanted == " ".join(n.split()).casefold() for n in names):
            return True
        stem = re.sub(r"^(?:ward|unit)\s+|\s+(?:ward|unit)$", "", self.name.casefold().strip())
        return len(stem) > 2 and not stem.isdigit() and wanted == " ".join(stem.split())


@dataclass(frozen=True)
class Bed:
    id: str
    label: str
    ward_id: str | None
    ward_code: str | None
    status: str | None  # v2-0116 code: U/O/H/C/K/I
    features: frozenset[str] = frozenset()
    room: str | None = None
    version: str | None = None

    @property
    def is_free(self) -> bool:
        return self.status == FREE


@dataclass(frozen=True)
class Patient:
    id: str
    mrn: str | None
    given: str
    family: str
    birth_date: date | None = None

    @property
    def initials(self) -> str:
        return "".join(part[:1].upper() for part in (self.given, self.family) if part)

    @property
    def mrn_last4(self) -> str:
        return (self.mrn or "")[-4:]

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given, self.family) if part)


@dataclass(frozen=True)
class Stay:
    encounter_id: str
    patient_id: str
    bed: Bed | None
    ward_code: str | None


@dataclass(frozen=True)
class Staff:
    id: str
    username: str
    name: str
    email: str | None
    roles: frozenset[str] = frozenset()
    ward_codes: frozenset[str] = frozenset()
    active: bool = True
    specialties: frozenset[str] = frozenset()  # clinic (service-type) codes of their roles


@dataclass(frozen=True)
class Service:
    id: str
    code: str
    name: str


@dataclass(frozen=True)
class Slot:
    id: str
    schedule_id: str | None
    service_code: str | None
    practitioner_id: str | None
    start: datetime
    end: datetime
    status: str
    version: str | None = None


@dataclass(frozen=True)
class Appointment:
    id: str
    status: str
    patient_id: str | None
    practitioner_id: str | None
    slot_id: str | None
    start: datetime | None
    end: datetime | None
    service_code: str | None = None


@dataclass(frozen=True)
class HelpTask:
    id: str
    ticket_id: str | None
    help_type: str | None
    status: str
    priority: str | None
    location_id: str | None
    description: str | None
    requester: str | None  # staff username
    owner: str | None  # staff username
    business_status: str | None
    authored: datetime | None
    notes: tuple[str, ...] = ()  # added after filing, oldest first ("Destination: x-ray")


@dataclass(frozen=True)
class BedSummary:
    ward_code: str
    ward_name: str
    free: int
    total: int
    by_status: Mapping[str, int] = field(default_factory=dict)
