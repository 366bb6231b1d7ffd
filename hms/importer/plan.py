"""Reconcile records with the HMS: reject, create, update or leave unchanged.

Rows with the same key (ward/bed code, username, MRN, stay, booking) are checked first:
identical repeats are rejected as duplicates of the first, conflicting ones are all
rejected (nobody can tell which is right). A ward repeated on every bed row is normal and
merged. Then each record is planned against ``Index`` (what the HMS holds plus what this
run plans); the plan is a list of inserts and updates that ``write.apply`` carries out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hms import models
from hms.config import HmsOptions
from hms.importer import records as r
from hms.importer.care import plan_appointment, plan_stay
from hms.importer.index import Index
from hms.importer.planned import Plan, Rejected
from hms.importer.values import fhir_id

KIND_ORDER = {r.Ward: 0, r.Bed: 1, r.Staff: 2, r.Patient: 3, r.Stay: 4, r.Appointment: 5}


def key(record: r.Record) -> tuple[Any, ...]:
    if isinstance(record, r.Ward | r.Bed):
        return (type(record).__name__, record.code.upper())
    if isinstance(record, r.Staff):
        return ("Staff", record.username)
    if isinstance(record, r.Patient):
        return ("Patient", record.mrn)
    if isinstance(record, r.Stay):
        return ("Stay", record.mrn, record.start)
    return ("Appointment", record.mrn, record.clinician, record.start)


def describe_key(record: r.Record) -> str:
    parts = key(record)
    return f"{parts[0]} " + " ".join(str(p) for p in parts[1:])


class Planner:
    def __init__(self, index: Index, options: HmsOptions, now: datetime) -> None:
        self.index, self.options, self.now = index, options, now
        self._stamp = {"version": 1, "updated_at": now, "updated_by": "import"}

    def plan(self, items: list[r.Item], report: r.FileReport) -> Plan:
        plan = Plan()
        for item in self._deduplicated(items, report):
            handler: Callable[[Any, Plan, r.FileReport], None] = getattr(
                self, f"_{type(item.record).__name__.lower()}"
            )
            try:
                handler(item.record, plan, report)
            except Rejected as exc:
                report.rejected.append(r.Rejection(item.where, str(exc), describe_key(item.record)))
        return plan

    def _deduplicated(self, items: list[r.Item], report: r.FileReport) -> list[r.Item]:
        groups: dict[tuple[Any, ...], list[r.Item]] = {}
        for item in items:
            groups.setdefault(key(item.record), []).append(item)
        keep = []
        for group in groups.values():
            first = group[0]
            same = all(i.record == first.record for i in group)
            if same:
                keep.append(first)
                if isinstance(first.record, r.Ward):
                    continue  # a ward repeated on each of its bed rows
                for dup in group[1:]:
                    reason = f"duplicate of {first.where}"
                    report.rejected.append(r.Rejection(dup.where, reason, describe_key(dup.record)))
                continue
            where = ", ".join(i.where for i in group)
            what = key(first.record)[0].lower()
            for item in group:
                reason = f"conflicting rows for the same {what}: {where}"
                report.rejected.append(r.Rejection(item.where, reason, describe_key(item.record)))
        return sorted(keep, key=lambda i: KIND_ORDER[type(i.record)])

    # -- places ------------------------------------------------------------------------

    def _ward(self, ward: r.Ward, plan: Plan, report: r.FileReport) -> None:
        code = ward.code.upper()
        values = {"name": ward.name, "aliases": list(ward.aliases)}
        values["search_text"] = "|".join((ward.name, *ward.aliases)).lower()
        found = self.index.wards.get(code)
        if found is None:
            ident = self.index.new_id(fhir_id("ward-", code))
            plan.insert(
                models.Location,
                {
                    **values,
                    **self._stamp,
                    "id": ident,
                    "physical_type": "wa",
                    "code": code,
                    "features": "",
                },
            )
            self.index.wards[code] = {"id": ident, **values, "description": None, "features": ""}
            report.count(report.create, "Ward")
        elif (found["name"], found["aliases"]) != (ward.name, list(ward.aliases)):
            plan.updates.append((models.Location, found["id"], values, {}))
            found.update(values)
            report.count(report.update, "Ward")
        else:
            report.count(report.unchanged, "Ward")

    def _bed(self, bed: r.Bed, plan: Plan, report: r.FileReport) -> None:
        ward = self.index.wards.get(bed.ward_code.upper())
        if ward is None:
            raise Rejected(f"unknown ward {bed.ward_code}")
        code = bed.code.upper()
        feats = "|" + "|".join(bed.features) + "|" if bed.features else ""
        values = {"name": bed.name, "description": bed.room, "features": feats}
        found = self.index.beds.get(code)
        if found is None:
            ident = self.index.new_id(fhir_id("bed-", code))
            plan.insert(
                models.Location,
                {
                    **values,
                    **self._stamp,
                    "id": ident,
                    "physical_type": "bd",
                    "code": code,
                    "aliases": [],
                    "search_text": bed.name.lower(),
                    "part_of_id": ward["id"],
                    "operational_status": bed.status,
                },
            )
            self.index.beds[code] = {
                "id": ident,
                **values,
                "part_of_id": ward["id"],
                "status": bed.status,
            }
            report.count(report.create, "Bed")
            return
        if found["part_of_id"] != ward["id"]:
            raise Rejected(f"bed {code} is on another ward in the HMS")
        current = {k: found[k] for k in ("name", "description", "features")}
        if current != values:
            plan.updates.append((models.Location, found["id"], values, {}))
            found.update(values)
            report.count(report.update, "Bed")
        else:
            report.count(report.unchanged, "Bed")

    # -- people ------------------------------------------------------------------------

    def _staff(self, staff: r.Staff, plan: Plan, report: r.FileReport) -> None:
        owner = self.index.emails.get(staff.email)
        if owner is not None and owner != staff.username:
            raise Rejected("email already belongs to another staff member")
        roles = [self._role_place(role) for role in staff.roles]  # may reject
        values = {
            "prefix": staff.prefix,
            "given": staff.given,
            "family": staff.family,
            "email": staff.email,
        }
        display = " ".join(p for p in (staff.prefix, staff.given, staff.family) if p)
        values["search_text"] = f"{display}|{staff.username}".lower()
        found = self.index.staff.get(staff.username)
        if found is None:
            ident = self.index.new_id(fhir_id("prac-", staff.username))
            plan.insert(
                models.Practitioner,
                {**values, **self._stamp, "id": ident, "username": staff.username},
            )
            found = {"id": ident, **values}
            self.index.staff[staff.username] = found
            report.count(report.create, "Practitioner")
        elif any(found[k] != values[k] for k in ("prefix", "given", "family", "email")):
            old_email = str(found["email"]).lower()
            plan.updates.append((models.Practitioner, found["id"], values, {}))
            self.index.emails.pop(old_email, None)
            found.update(values)
            report.count(report.update, "Practitioner")
        else:
            report.count(report.unchanged, "Practitioner")
        self.index.emails[staff.email] = staff.username
        for role, location, service in roles:
            tup = (found["id"], role, location, service)
            if tup in self.index.roles:
                continue
            suffix = "-".join(p for p in (role, location, service) if p)
            plan.insert(
                models.PractitionerRole,
                {
                    **self._stamp,
                    "id": self.index.new_id(fhir_id("role-", f"{staff.username}-{suffix}")),
                    "practitioner_id": found["id"],
                    "role": role,
                    "location_id": location,
                    "service_id": service,
                    "specialty": service.removeprefix("svc-") if service else None,
                },
            )
            self.index.roles.add(tup)
            report.count(report.create, "PractitionerRole")

    def _role_place(self, role: r.RoleAt) -> tuple[str, str | None, str | None]:
        location = service = None
        if role.ward_code:
            ward = self.index.wards.get(role.ward_code.upper())
            if ward is None:
                raise Rejected(f"unknown ward {role.ward_code}")
            location = str(ward["id"])
        if role.service_code:
            service = self.index.services.get(role.service_code.lower())
            if service is None:
                raise Rejected(f"unknown clinic {role.service_code}")
        return role.role, location, service

    def _patient(self, patient: r.Patient, plan: Plan, report: r.FileReport) -> None:
        if not self.options.mrn_ok(patient.mrn) or len(patient.mrn) > 64:
            raise Rejected("MRN does not match HMS_MRN_PATTERN")
        values = {
            "family": patient.family,
            "given": patient.given,
            "birth_date": patient.birth_date,
            "gender": patient.gender,
        }
        found = self.index.patients.get(patient.mrn)
        if found is None:
            ident = f"pat-{uuid.uuid4().hex[:12]}"
            plan.insert(
                models.Patient,
                {
                    **values,
                    **self._stamp,
                    "id": ident,
                    "mrn": patient.mrn,
                    "search_text": f"{patient.given} {patient.family}".lower(),
                },
            )
            self.index.patients[patient.mrn] = {"id": ident, **values}
            report.count(report.create, "Patient")
        elif any(found[k] != v for k, v in values.items()):
            text = f"{patient.given} {patient.family}".lower()
            plan.updates.append((models.Patient, found["id"], {**values, "search_text": text}, {}))
            found.update(values)
            report.count(report.update, "Patient")
        else:
            report.count(report.unchanged, "Patient")

    # -- stays and bookings (hms/importer/care.py) -------------------------------------

    def _stay(self, stay: r.Stay, plan: Plan, report: r.FileReport) -> None:
        plan_stay(self.index, self.stamp(), self.now, stay, plan, report)

    def _appointment(self, appt: r.Appointment, plan: Plan, report: r.FileReport) -> None:
        plan_appointment(self.index, self.stamp(), self.now, appt, plan, report)

    def stamp(self) -> dict[str, Any]:
        return dict(self._stamp)
