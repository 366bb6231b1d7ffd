"""``FhirHmsClient``: the HMS port over FHIR R4 (httpx.AsyncClient).

Works with the reference HMS (``hms/``) and with any FHIR R4 server that follows the
identifier systems in docs/architecture.md. Only standard search parameters are used
(``identifier``, ``partof``, ``operational-status``, ``patient``, ``status``, ...);
beds, rooms and wards are told apart client-side by ``physicalType``.
Reads are retried on transient failures, writes never (see ``transport``).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from . import codec
from .codec import Json
from .core import ClientCore
from .errors import Invalid, NotFound
from .models import BED_STATUSES, Bed, BedSummary, Patient, Stay, Ward
from .scheduling import SchedulingMixin
from .tasks import TasksMixin


class FhirHmsClient(SchedulingMixin, TasksMixin, ClientCore):
    """The HMS client; see ``HmsClient`` (protocol.py) for the contract."""

    # -- beds -----------------------------------------------------------------------------

    def _beds(self, locations: list[Json], wards: dict[str, Ward]) -> list[Bed]:
        """Beds among ``locations``; a bed inside a room is placed in the room's ward."""
        systems = self._sys
        room_ward = {
            str(r["id"]): codec.ref_id(r.get("partOf"), "Location")
            for r in locations
            if codec.physical_type(r) == "ro"
        }
        beds = []
        for res in locations:
            if codec.physical_type(res) != "bd":
                continue
            parent = codec.ref_id(res.get("partOf"), "Location")
            ward_id = room_ward.get(parent or "", parent)
            beds.append(codec.to_bed(res, wards, ward_id, systems))
        return sorted(beds, key=lambda b: (b.ward_code or "", b.id))

    async def find_beds(
        self, ward_code: str | None = None, status: str | None = None, feature: str | None = None
    ) -> list[Bed]:
        wards = await self._ward_index()
        if ward_code is None:
            beds = self._beds(await self._locations(), wards)
        else:
            ward = await self.get_ward(ward_code)
            params: dict[str, Any] = {"partof": f"Location/{ward.id}", "_count": 500}
            if status:
                params["operational-status"] = status
            found = await self._search("Location", params)
            for room in [r for r in found if codec.physical_type(r) == "ro"]:
                found += await self._search(
                    "Location", {**params, "partof": f"Location/{room['id']}"}
                )
            beds = [b for b in self._beds(found, wards) if b.ward_id in (ward.id, None)]
        return [
            b
            for b in beds
            if (status is None or b.status == status) and (feature is None or feature in b.features)
        ]

    async def free_beds(
        self, ward_code: str | None = None, feature: str | None = None
    ) -> list[Bed]:
        return await self.find_beds(ward_code, "U", feature)

    async def bed_summary(self) -> list[BedSummary]:
        locations = await self._locations()
        wards = self._remember_wards(locations)
        beds = self._beds(locations, wards)
        out = []
        for ward in wards.values():
            counts: dict[str, int] = {}
            for bed in beds:
                if bed.ward_id == ward.id:
                    counts[bed.status or "?"] = counts.get(bed.status or "?", 0) + 1
            out.append(
                BedSummary(
                    ward_code=ward.code,
                    ward_name=ward.name,
                    free=counts.get("U", 0),
                    total=sum(counts.values()),
                    by_status=MappingProxyType(counts),
                )
            )
        return out

    async def place_names(self, location_ids: list[str]) -> dict[str, str]:
        wanted = set(location_ids)
        if not wanted:
            return {}
        locations = await self._locations()
        wards = self._remember_wards(locations)
        names = {w.id: w.name for w in wards.values() if w.id in wanted}
        names |= {b.id: b.label for b in self._beds(locations, wards) if b.id in wanted}
        return names

    async def get_bed(self, ward_code: str, bed_number: int | str) -> Bed:
        ward = await self.get_ward(ward_code)
        try:
            value = f"{ward.code}-{int(bed_number):02d}"
        except ValueError:
            raise Invalid("bed number must be a number") from None
        found = await self._search("Location", {"identifier": f"{self._sys.bed}|{value}"})
        beds = self._beds(found, await self._ward_index())
        if not beds:
            raise NotFound("no such bed")
        return beds[0]

    async def set_bed_status(self, bed_id: str, code: str) -> Bed:
        status = code.strip().upper()
        if status not in BED_STATUSES:
            raise Invalid(f"unknown bed status {code!r}")
        res = await self._get("Location", bed_id)
        if codec.physical_type(res) != "bd":
            raise NotFound("no such bed")
        res["operationalStatus"] = codec.bed_status_coding(status)
        stored = await self._write("PUT", f"Location/{bed_id}", res, codec.version(res))
        return codec.to_bed(stored, await self._ward_index(), None, self._sys)

    # -- people ---------------------------------------------------------------------------

    async def find_patients(self, mrn: str | None = None, name: str | None = None) -> list[Patient]:
        params: dict[str, Any] = {}
        if mrn:
            if not self._sys.mrn_ok(mrn):
                return []  # no patient has an MRN of another format (HMS_MRN_PATTERN)
            params["identifier"] = f"{self._sys.mrn}|{mrn.strip()}"
        if name:
            params["name"] = name.strip()
        if not params:
            raise Invalid("give an MRN or a name")
        return [codec.to_patient(r, self._sys) for r in await self._search("Patient", params)]

    async def get_patient(self, patient_id: str) -> Patient:
        return codec.to_patient(await self._get("Patient", patient_id), self._sys)

    async def current_stay(self, patient_id: str) -> Stay | None:
        params = {"patient": f"Patient/{patient_id}", "status": "in-progress"}
        stays = [
            e for e in await self._search("Encounter", params) if e.get("status") == "in-progress"
        ]
        if not stays:
            return None
        enc = max(stays, key=lambda e: str((e.get("period") or {}).get("start") or ""))
        places = [p for p in enc.get("location") or [] if p.get("status") in (None, "active")]
        active = [p for p in places if p.get("status") == "active"] or places
        loc_id = codec.ref_id(active[-1].get("location"), "Location") if active else None
        bed, ward_code = None, None
        if loc_id:
            loc = await self._get("Location", loc_id)
            wards = await self._ward_index()
            if codec.physical_type(loc) == "wa":
                ward_code = codec.to_ward(loc, self._sys).code
            else:
                parent = codec.ref_id(loc.get("partOf"), "Location")
                if parent and parent not in wards:  # bed inside a room
                    parent = codec.ref_id((await self._get("Location", parent)).get("partOf"))
                bed = codec.to_bed(loc, wards, parent, self._sys)
                ward_code = bed.ward_code
        return Stay(
            encounter_id=str(enc["id"]), patient_id=patient_id, bed=bed, ward_code=ward_code
        )

    async def occupants(self, bed_ids: list[str]) -> dict[str, str]:
        """bed id -> patient id of the in-progress stay in that bed (one Encounter search)."""
        if not bed_ids:
            return {}
        params = {
            "location": ",".join(f"Location/{b}" for b in bed_ids),
            "status": "in-progress",
            "_count": 500,
        }
        out: dict[str, str] = {}
        for enc in await self._search("Encounter", params):
            if enc.get("status") != "in-progress":
                continue
            patient = codec.ref_id(enc.get("subject"), "Patient")
            for place in enc.get("location") or []:
                bed = codec.ref_id(place.get("location"), "Location")
                if patient and bed in bed_ids and place.get("status") in (None, "active"):
                    out[bed] = patient
        return out
