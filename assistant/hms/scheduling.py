"""Clinics, slots and appointments (HealthcareService, Schedule, Slot, Appointment)."""

from __future__ import annotations

from contextlib import aclosing
from datetime import UTC, datetime
from datetime import date as Date
from typing import Any

from . import codec
from .codec import Json
from .core import ClientCore
from .errors import Conflict, Invalid, NotFound
from .models import Appointment, Service, Slot


class SchedulingMixin(ClientCore):
    async def list_services(self) -> list[Service]:
        found = await self._search("HealthcareService")
        services = [codec.to_service(r, self._sys) for r in found]
        return sorted(services, key=lambda s: s.name.casefold())

    async def get_service(self, code_or_name: str) -> Service:
        wanted = " ".join(code_or_name.split()).casefold()
        services = await self.list_services()
        for svc in services:
            if wanted in (svc.code.casefold(), svc.id.casefold(), svc.name.casefold()):
                return svc
        partial = [s for s in services if wanted and wanted in s.name.casefold()]
        if len(partial) == 1:
            return partial[0]
        raise NotFound("no such clinic")

    async def _schedule(self, schedule_id: str | None) -> Json | None:
        if not schedule_id:
            return None
        cache = self._shared.schedules
        if schedule_id not in cache:
            cache[schedule_id] = await self._get("Schedule", schedule_id)
        return cache[schedule_id]

    async def _to_slot(self, res: Json) -> Slot:
        schedule_id = codec.ref_id(res.get("schedule"), "Schedule")
        return codec.to_slot(res, await self._schedule(schedule_id), self._sys)

    async def free_slots(
        self,
        service_code: str | None = None,
        practitioner_id: str | None = None,
        *,
        start_from: datetime,
        count: int = 3,
    ) -> list[Slot]:
        """The first ``count`` free slots starting at or after ``start_from``, by start.

        Asks for ``_sort=start`` and stops paging once ``count`` slots are found while the
        results arrive in start order; a server that ignores ``_sort`` is read to the end.
        """
        if start_from.tzinfo is None:
            raise Invalid("start_from must be timezone-aware")
        params: dict[str, Any] = {
            "status": "free",
            "start": f"ge{start_from.isoformat()}",
            "_sort": "start",
            "_count": 50,
        }
        if service_code:
            params["service-type"] = f"{self._sys.service_type}|{service_code}"
        if practitioner_id:
            schedules = await self._search("Schedule", {"actor": f"Practitioner/{practitioner_id}"})
            if not schedules:
                return []
            for sch in schedules:
                self._shared.schedules[str(sch["id"])] = sch
            params["schedule"] = ",".join(f"Schedule/{s['id']}" for s in schedules)
        slots: list[Slot] = []
        in_order, last = True, start_from
        async with aclosing(self._http.search("Slot", params)) as results:
            async for res in results:
                slot = await self._to_slot(res)
                in_order, last = in_order and slot.start >= last, max(last, slot.start)
                if (
                    slot.status == "free"
                    and slot.start >= start_from
                    and (service_code is None or slot.service_code == service_code)
                    and (practitioner_id is None or slot.practitioner_id == practitioner_id)
                ):
                    slots.append(slot)
                if in_order and len(slots) >= count:
                    break  # the server honoured _sort=start: later pages cannot be earlier
        return sorted(slots, key=lambda s: s.start)[: max(0, count)]

    async def get_slot(self, slot_id: str) -> Slot:
        return await self._to_slot(await self._get("Slot", slot_id))

    async def book(
        self,
        patient_id: str,
        slot_id: str,
        practitioner_id: str | None = None,
        slot_version: str | None = None,
    ) -> Appointment:
        """Book ``slot_id`` for the patient. ``Conflict`` if the slot is taken (409) or,
        with ``slot_version``, if the slot changed since it was read (412).

        Idempotent: when the slot is already booked *for this patient* that appointment is
        the answer. A turn that booked and then lost its worker before Rasa recorded it is
        run again on another worker; it must report the booking, not make a second one.
        """
        slot = await self.get_slot(slot_id)
        if slot.status != "free":
            held = await self._booked_on(patient_id, slot_id)
            if held is not None:
                return held
            raise Conflict("the slot is no longer free", status=409)
        practitioner = practitioner_id or slot.practitioner_id
        participants: list[Json] = [
            {"actor": codec.ref("Patient", patient_id), "status": "accepted"}
        ]
        if practitioner:
            participants.append(
                {"actor": codec.ref("Practitioner", practitioner), "status": "accepted"}
            )
        body: Json = {
            "resourceType": "Appointment",
            "status": "booked",
            "slot": [codec.ref("Slot", slot_id)],
            "start": slot.start.isoformat(),
            "end": slot.end.isoformat(),
            "participant": participants,
        }
        if slot.service_code:
            body["serviceType"] = [
                {"coding": [{"system": self._sys.service_type, "code": slot.service_code}]}
            ]
        try:
            stored = await self._write("POST", "Appointment", body, slot_version)
        except Conflict:
            held = await self._booked_on(patient_id, slot_id)
            if held is None:
                raise
            return held
        return codec.to_appointment(stored, self._sys)

    async def _booked_on(self, patient_id: str, slot_id: str) -> Appointment | None:
        found = await self._search(
            "Appointment",
            {"patient": f"Patient/{patient_id}", "slot": f"Slot/{slot_id}", "status": "booked"},
        )
        booked = [codec.to_appointment(r, self._sys) for r in found if r.get("status") == "booked"]
        return booked[0] if booked else None

    async def list_appointments(
        self,
        patient_id: str | None = None,
        practitioner_id: str | None = None,
        date: Date | None = None,
        status: str | None = "booked",
        service_code: str | None = None,
    ) -> list[Appointment]:
        params: dict[str, Any] = {}
        if service_code:
            params["service-type"] = f"{codec.SERVICE_TYPE}|{service_code}"
        if patient_id:
            params["patient"] = f"Patient/{patient_id}"
        if practitioner_id:
            params["practitioner"] = f"Practitioner/{practitioner_id}"
        if date:
            params["date"] = date.isoformat()
        if status:
            params["status"] = status
        found = [
            codec.to_appointment(r, self._sys) for r in await self._search("Appointment", params)
        ]
        found = [a for a in found if status is None or a.status == status]
        if service_code:
            found = [a for a in found if a.service_code == service_code]
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(found, key=lambda a: a.start or epoch)

    async def cancel_appointment(self, appointment_id: str) -> Appointment:
        res = await self._get("Appointment", appointment_id)
        if res.get("status") == "cancelled":
            return codec.to_appointment(res, self._sys)
        res["status"] = "cancelled"
        path = f"Appointment/{appointment_id}"
        stored = await self._write("PUT", path, res, codec.version(res))
        return codec.to_appointment(stored, self._sys)
