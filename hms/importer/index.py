"""What the HMS already holds, loaded once per run, plus what this run plans to create.

The planner looks everything up here (never row by row in the database), and records
each planned creation so later rows and later files of the same run see it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hms import models


@dataclass
class Index:
    wards: dict[str, dict[str, Any]] = field(default_factory=dict)  # CODE -> row values
    beds: dict[str, dict[str, Any]] = field(default_factory=dict)  # CODE -> row values
    staff: dict[str, dict[str, Any]] = field(default_factory=dict)  # username -> values
    emails: dict[str, str] = field(default_factory=dict)  # email -> username
    roles: set[tuple[str, str, str | None, str | None]] = field(default_factory=set)
    services: dict[str, str] = field(default_factory=dict)  # code -> id
    patients: dict[str, dict[str, Any]] = field(default_factory=dict)  # MRN -> values
    stays: dict[tuple[str, datetime], str] = field(default_factory=dict)  # (patient, start)
    active_stay: dict[str, str] = field(default_factory=dict)  # patient id -> encounter
    occupied: dict[str, str] = field(default_factory=dict)  # bed id -> patient id
    schedules: dict[tuple[str, str], str] = field(default_factory=dict)  # (prac, svc)
    slots: dict[tuple[str, datetime], dict[str, Any]] = field(default_factory=dict)
    # practitioner id -> booked (start, end, patient id) ending after the load time
    bookings: dict[str, list[tuple[datetime, datetime, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    ids: set[str] = field(default_factory=set)  # every id in use (collision check)

    @classmethod
    def load(cls, session: Session, now: datetime) -> Index:
        index = cls()
        for loc in session.scalars(select(models.Location)):
            values = {
                "id": loc.id,
                "name": loc.name,
                "aliases": list(loc.aliases),
                "description": loc.description,
                "features": loc.features,
                "part_of_id": loc.part_of_id,
                "status": loc.operational_status,
            }
            target = index.wards if loc.physical_type == "wa" else index.beds
            target[loc.code.upper()] = values
            index.ids.add(loc.id)
        for prac in session.scalars(select(models.Practitioner)):
            index.staff[prac.username] = {
                "id": prac.id,
                "prefix": prac.prefix,
                "given": prac.given,
                "family": prac.family,
                "email": prac.email,
            }
            index.emails[prac.email.lower()] = prac.username
            index.ids.add(prac.id)
        for role in session.scalars(select(models.PractitionerRole)):
            index.roles.add((role.practitioner_id, role.role, role.location_id, role.service_id))
            index.ids.add(role.id)
        for svc in session.scalars(select(models.HealthcareService)):
            index.services[svc.code.lower()] = svc.id
        for pat in session.scalars(select(models.Patient)):
            index.patients[pat.mrn] = {
                "id": pat.id,
                "family": pat.family,
                "given": pat.given,
                "birth_date": pat.birth_date,
                "gender": pat.gender,
            }
        for enc in session.scalars(select(models.Encounter)):
            index.stays[(enc.patient_id, enc.period_start)] = enc.id
            if enc.status == "in-progress":
                index.active_stay[enc.patient_id] = enc.id
                if enc.location_id:
                    index.occupied[enc.location_id] = enc.patient_id
        for sch in session.scalars(select(models.Schedule)):
            index.schedules[(sch.practitioner_id, sch.service_code)] = sch.id
            index.ids.add(sch.id)
        for slot in session.scalars(select(models.Slot).where(models.Slot.end > now)):
            index.slots[(slot.schedule_id, slot.start)] = {
                "id": slot.id,
                "status": slot.status,
                "end": slot.end,
            }
        booked = select(models.Appointment).where(
            models.Appointment.status == "booked", models.Appointment.end > now
        )
        for appt in session.scalars(booked):
            if appt.practitioner_id:
                index.bookings[appt.practitioner_id].append((appt.start, appt.end, appt.patient_id))
        return index

    def clash(
        self, practitioner: str, start: datetime, end: datetime
    ) -> tuple[datetime, datetime, str] | None:
        """A booking of the practitioner that overlaps [start, end)."""
        return next(
            (b for b in self.bookings.get(practitioner, []) if b[0] < end and start < b[1]),
            None,
        )

    def new_id(self, wanted: str) -> str:
        """``wanted``, or ``wanted-2``... if another row already holds it."""
        candidate, n = wanted, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{wanted[:60]}-{n}"
        self.ids.add(candidate)
        return candidate
