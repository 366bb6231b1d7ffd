"""The HMS port: what actions and channels may ask of the hospital's data.

``FhirHmsClient`` implements it over FHIR R4; unit tests of actions use a fake.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol, runtime_checkable

from .models import (
    Appointment,
    Bed,
    BedSummary,
    HelpTask,
    Patient,
    Service,
    Slot,
    Staff,
    Stay,
    Ward,
)


@runtime_checkable
class HmsClient(Protocol):
    def with_actor(self, username: str) -> HmsClient:
        """A view of this client that acts for (and is recorded as) ``username``."""
        ...

    async def aclose(self) -> None: ...
    async def ping(self) -> str: ...

    # wards and beds
    async def list_wards(self) -> list[Ward]: ...
    async def get_ward(self, code_or_name: str) -> Ward: ...
    async def find_beds(
        self, ward_code: str | None = None, status: str | None = None, feature: str | None = None
    ) -> list[Bed]: ...
    async def free_beds(
        self, ward_code: str | None = None, feature: str | None = None
    ) -> list[Bed]: ...
    async def bed_summary(self) -> list[BedSummary]: ...
    async def get_bed(self, ward_code: str, bed_number: int | str) -> Bed: ...
    async def set_bed_status(self, bed_id: str, code: str) -> Bed: ...

    # people
    async def find_patients(
        self, mrn: str | None = None, name: str | None = None
    ) -> list[Patient]: ...
    async def get_patient(self, patient_id: str) -> Patient: ...
    async def current_stay(self, patient_id: str) -> Stay | None: ...
    async def occupants(self, bed_ids: list[str]) -> dict[str, str]: ...
    async def find_staff(
        self, username: str | None = None, email: str | None = None, name: str | None = None
    ) -> list[Staff]: ...
    async def list_staff_with_role(self, role: str) -> list[Staff]: ...

    # scheduling
    async def list_services(self) -> list[Service]: ...
    async def get_service(self, code_or_name: str) -> Service: ...
    async def free_slots(
        self,
        service_code: str | None = None,
        practitioner_id: str | None = None,
        *,
        start_from: datetime,
        count: int = 3,
    ) -> list[Slot]: ...
    async def get_slot(self, slot_id: str) -> Slot: ...
    async def book(
        self,
        patient_id: str,
        slot_id: str,
        practitioner_id: str | None = None,
        slot_version: str | None = None,
    ) -> Appointment: ...
    async def list_appointments(
        self,
        patient_id: str | None = None,
        practitioner_id: str | None = None,
        date: date | None = None,
        status: str | None = "booked",
        service_code: str | None = None,
    ) -> list[Appointment]: ...
    async def cancel_appointment(self, appointment_id: str) -> Appointment: ...

    # help requests
    async def create_task(
        self,
        help_type: str,
        location_id: str | None,
        priority: str,
        description: str,
        requester_username: str,
    ) -> HelpTask: ...
    async def get_task(self, ticket_id: str) -> HelpTask: ...
    async def list_tasks(
        self,
        requester_username: str | None = None,
        status: str | None = None,
        help_type: str | None = None,
    ) -> list[HelpTask]:
        """Help requests, newest first; ``status`` may list several, comma-separated."""
        ...

    async def place_names(self, location_ids: list[str]) -> dict[str, str]:
        """location id -> what staff call it ("4B Bed 4", "Ward 4B"); unknown ids left out."""
        ...

    async def update_task(
        self,
        ticket_id: str,
        *,
        status: str | None = None,
        owner_username: str | None = None,
        business_status: str | None = None,
        note: str | None = None,
        priority: str | None = None,
        location_id: str | None = None,
        clear_owner: bool = False,
    ) -> HelpTask:
        """Change a help request; ``clear_owner``: nobody's any more (a job given back)."""
        ...
