"""The HMS changes ADT events make: bed status (logged), stays, pending flags, patients.

Every bed status change appends a ``BedEvent``; each helper returns a small JSON record
of what it changed so a later cancel can undo exactly that.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dbkit import rowcount
from hms import models
from hms.adt.message import (
    DATA_TYPE_ERROR,
    INTERNAL_ERROR,
    MISSING_FIELD,
    UNKNOWN_KEY,
    AdtMessage,
    failed,
)
from hms.config import HmsOptions
from hms.timeutil import to_storage

ACTOR = "adt"
Json = dict[str, Any]


class StaleBed(Exception):
    """A bed changed under us (another writer); the whole message is retried."""


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass
class Work:
    """One message being applied inside one transaction."""

    session: Session
    message: AdtMessage
    message_pk: int
    now: datetime  # naive UTC
    tz: ZoneInfo
    options: HmsOptions

    def when(self, *candidates: datetime | None) -> datetime:
        """The first given time (naive = hospital time) as naive UTC, else now."""
        for value in candidates:
            if value is not None:
                return to_storage(value, self.tz)
        return self.now

    # -- beds --------------------------------------------------------------------------

    def set_bed(self, bed: models.Location, status: str, *, clear_pending: bool = True) -> Json:
        before = bed.operational_status
        values: Json = {}
        if before != status:
            values.update(operational_status=status)
            self.session.add(
                models.BedEvent(
                    at=self.now,
                    bed_id=bed.id,
                    from_status=before,
                    to_status=status,
                    source="adt",
                    adt_message_pk=self.message_pk,
                    actor=ACTOR,
                )
            )
        if clear_pending and bed.pending is not None:
            values.update(pending=None, pending_at=None)
        if values:
            self._write_bed(bed, values)
        return {"bed": bed.id, "from": before, "to": status}

    def set_pending(self, bed: models.Location, state: str | None, at: datetime | None) -> Json:
        before = {"bed": bed.id, "from": bed.pending, "from_at": _iso(bed.pending_at)}
        self._write_bed(bed, {"pending": state, "pending_at": at})
        return {**before, "to": state}

    def _write_bed(self, bed: models.Location, values: Json) -> None:
        result = self.session.execute(
            update(models.Location)
            .where(models.Location.id == bed.id, models.Location.version == bed.version)
            .values(**values, version=bed.version + 1, updated_at=self.now, updated_by=ACTOR)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) != 1:
            raise StaleBed(bed.id)
        self.session.refresh(bed)

    def stay_in(self, bed: models.Location, *, other_than: str | None = None) -> str | None:
        """The id of an in-progress stay in ``bed`` (other than ``other_than``), if any."""
        stmt = select(models.Encounter.id).where(
            models.Encounter.location_id == bed.id, models.Encounter.status == "in-progress"
        )
        if other_than:
            stmt = stmt.where(models.Encounter.id != other_than)
        return self.session.scalar(stmt.limit(1))

    def check_free_for(self, bed: models.Location, stay_id: str | None = None) -> None:
        if self.stay_in(bed, other_than=stay_id):
            raise failed(INTERNAL_ERROR, f"bed {bed.code} holds another in-progress stay")

    # -- patients and stays --------------------------------------------------------------

    def patient(self, *, create: bool = False) -> models.Patient:
        info = self.message.patient
        if info is None or not info.mrn:
            raise failed(MISSING_FIELD, "PID-3 (patient identifier) is missing")
        found = self.session.scalar(select(models.Patient).where(models.Patient.mrn == info.mrn))
        if found is not None:
            return found
        if not create:
            raise failed(UNKNOWN_KEY, "PID-3: the patient is not known to the HMS")
        if not self.options.mrn_ok(info.mrn) or len(info.mrn) > 64:
            raise failed(DATA_TYPE_ERROR, "PID-3: the MRN does not match HMS_MRN_PATTERN")
        if not info.family or info.birth_date is None:
            raise failed(MISSING_FIELD, "a new patient needs PID-5 (name) and PID-7 (birth date)")
        row = models.Patient(
            id=new_id("pat"),
            mrn=info.mrn,
            family=info.family[:64],
            given=info.given[:64],
            gender=info.gender,
            birth_date=info.birth_date,
            search_text=f"{info.given} {info.family}".lower(),
            version=1,
            updated_at=self.now,
            updated_by=ACTOR,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def active_stay(self, patient: models.Patient) -> models.Encounter | None:
        stays = list(
            self.session.scalars(
                select(models.Encounter)
                .where(
                    models.Encounter.patient_id == patient.id,
                    models.Encounter.status == "in-progress",
                )
                .order_by(models.Encounter.period_start.desc())
            )
        )
        visit = self.message.visit_number
        return next((s for s in stays if visit and s.visit_number == visit), None) or (
            stays[0] if stays else None
        )

    def stay_bed(self, stay: models.Encounter) -> models.Location | None:
        bed = self.session.get(models.Location, stay.location_id) if stay.location_id else None
        return bed if bed is not None and bed.physical_type == "bd" else None

    def touch(self, row: Any) -> None:
        row.version += 1
        row.updated_at = self.now
        row.updated_by = ACTOR


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
