"""SQLAlchemy 2 ORM models: one table per FHIR resource type the HMS serves.

Search columns are real columns with indexes; FHIR JSON is built from rows in ``hms.fhir``.
Times are stored as naive UTC datetimes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Versioned:
    """Optimistic-concurrency columns shared by every writable table."""

    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class Location(Versioned, Base):
    __tablename__ = "location"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    physical_type: Mapped[str] = mapped_column(String(8), nullable=False)  # wa | bd
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    search_text: Mapped[str] = mapped_column(Text, nullable=False)  # lower(name|aliases)
    description: Mapped[str | None] = mapped_column(String(128))
    part_of_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"))
    operational_status: Mapped[str | None] = mapped_column(String(1))
    # Bed features as "|isolation|monitored|" so a LIKE finds one code.
    features: Mapped[str] = mapped_column(String(160), default="", nullable=False)
    # ADT pending events (A14/A15/A16): "reserved" | "expected_free", and when expected
    pending: Mapped[str | None] = mapped_column(String(16))
    pending_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        Index("ix_location_partof_status", "part_of_id", "operational_status"),
        Index("ix_location_type_status", "physical_type", "operational_status"),
    )


class Patient(Versioned, Base):
    __tablename__ = "patient"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mrn: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    family: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    given: Mapped[str] = mapped_column(String(64), nullable=False)
    gender: Mapped[str] = mapped_column(String(16), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    search_text: Mapped[str] = mapped_column(Text, nullable=False)  # lower("given family")


class Encounter(Versioned, Base):
    __tablename__ = "encounter"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    class_code: Mapped[str] = mapped_column(String(8), nullable=False)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), nullable=False, index=True)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"), index=True)
    period_start: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    period_end: Mapped[datetime | None] = mapped_column(DateTime)
    visit_number: Mapped[str | None] = mapped_column(String(64), index=True)  # HL7 PV1-19


class Practitioner(Versioned, Base):
    __tablename__ = "practitioner"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str | None] = mapped_column(String(16))
    given: Mapped[str] = mapped_column(String(64), nullable=False)
    family: Mapped[str] = mapped_column(String(64), nullable=False)
    email: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    search_text: Mapped[str] = mapped_column(Text, nullable=False)


class PractitionerRole(Versioned, Base):
    __tablename__ = "practitioner_role"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(
        ForeignKey("practitioner.id"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    specialty: Mapped[str | None] = mapped_column(String(64))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("location.id"), index=True)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("healthcare_service.id"))


class HealthcareService(Versioned, Base):
    __tablename__ = "healthcare_service"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    search_text: Mapped[str] = mapped_column(Text, nullable=False)


class Schedule(Versioned, Base):
    __tablename__ = "schedule"
    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(
        ForeignKey("practitioner.id"), nullable=False, index=True
    )
    service_id: Mapped[str] = mapped_column(
        ForeignKey("healthcare_service.id"), nullable=False, index=True
    )
    service_code: Mapped[str] = mapped_column(String(32), nullable=False)


class Slot(Versioned, Base):
    __tablename__ = "slot"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedule.id"), nullable=False)
    practitioner_id: Mapped[str] = mapped_column(String(64), nullable=False)
    service_code: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    start: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    end: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    __table_args__ = (
        Index("ix_slot_schedule_start", "schedule_id", "start"),
        Index("ix_slot_practitioner_start", "practitioner_id", "start"),
        Index("ix_slot_service_start", "service_code", "start"),
        Index("ix_slot_status_start", "status", "start"),
    )


class Appointment(Versioned, Base):
    __tablename__ = "appointment"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    slot_id: Mapped[str] = mapped_column(ForeignKey("slot.id"), nullable=False)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patient.id"), nullable=False, index=True)
    practitioner_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner.id"))
    service_code: Mapped[str] = mapped_column(String(32), nullable=False)
    start: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    end: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    __table_args__ = (
        Index("ix_appointment_practitioner_start", "practitioner_id", "start"),
        Index("ix_appointment_slot", "slot_id"),
        # Second line of defence against double booking: one booked appointment per slot.
        Index(
            "uq_appointment_booked_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )


class Task(Versioned, Base):
    __tablename__ = "task"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identifier: Mapped[str | None] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(24), nullable=False, index=True)
    intent: Mapped[str] = mapped_column(String(24), nullable=False)
    priority: Mapped[str] = mapped_column(String(16), nullable=False)
    code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    business_status: Mapped[str | None] = mapped_column(String(128))
    location_id: Mapped[str | None] = mapped_column(String(64), index=True)
    requester: Mapped[str | None] = mapped_column(String(128), index=True)
    owner: Mapped[str | None] = mapped_column(String(128), index=True)
    for_ref: Mapped[str | None] = mapped_column(String(128))
    notes: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    authored_on: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class AdtMessage(Base):
    """An applied HL7 v2 ADT message (append-only): its control id and what it changed.

    ``effects`` records the changes so a cancel (A11/A12/A13, A25/A26/A27) can undo them;
    a cancel is a new row whose ``reverses_pk`` names the message it undid.
    """

    __tablename__ = "adt_message"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender: Mapped[str] = mapped_column(String(128), nullable=False)  # MSH-3^MSH-4
    control_id: Mapped[str] = mapped_column(String(64), nullable=False)  # MSH-10
    event: Mapped[str] = mapped_column(String(8), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ack_code: Mapped[str] = mapped_column(String(2), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    patient_id: Mapped[str | None] = mapped_column(String(64))
    encounter_id: Mapped[str | None] = mapped_column(String(64))
    effects: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    reverses_pk: Mapped[int | None] = mapped_column(ForeignKey("adt_message.pk"), index=True)
    __table_args__ = (
        UniqueConstraint("sender", "control_id", name="uq_adt_message_sender_control"),
        Index("ix_adt_message_patient_event", "patient_id", "event"),
    )


class AdtDeadLetter(Base):
    """A message that was not applied (AE/AR), kept whole for the interface team."""

    __tablename__ = "adt_dead_letter"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    sender: Mapped[str | None] = mapped_column(String(128))
    control_id: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str | None] = mapped_column(String(8))
    ack_code: Mapped[str] = mapped_column(String(2), nullable=False)
    error_code: Mapped[str] = mapped_column(String(8), nullable=False)  # HL7 table 0357
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    raw: Mapped[str] = mapped_column(Text, nullable=False)


class BedEvent(Base):
    """Append-only log of bed status changes, whatever made them (ADT, API, import)."""

    __tablename__ = "bed_event"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    bed_id: Mapped[str] = mapped_column(ForeignKey("location.id"), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(1))
    to_status: Mapped[str] = mapped_column(String(1), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # adt | api
    adt_message_pk: Mapped[int | None] = mapped_column(ForeignKey("adt_message.pk"))
    actor: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_bed_event_bed", "bed_id", "pk"),)
