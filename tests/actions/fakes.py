"""Test doubles for action tests: an in-memory HMS, audit sink, ticket store and tracker."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, StaffCache
from assistant.config import get_settings
from assistant.hms.errors import Conflict, NotFound
from assistant.hms.models import (
    Appointment,
    Bed,
    BedSummary,
    HelpTask,
    Patient,
    Service,
    Slot,
    Stay,
    Ward,
)
from assistant.identity.principal import sign_principal
from assistant.rbac.policy import load_policy
from tests.conversation.facts import misfits
from tests.fakes.hospital import demo_staff

KEY = "test-signing-key"
NOW = datetime(2026, 12, 2, 10, 15, tzinfo=UTC)  # Wednesday

STAFF = demo_staff()  # the seed's named staff (tests/fakes/hospital.py)


class InMemoryAuditSink:
    def __init__(self, error: type[Exception] | None = None) -> None:
        self.events: list[Any] = []
        self.error = error

    def record(self, event: Any) -> None:
        if self.error is not None:
            raise self.error("audit store down")
        self.events.append(event)


class FakeTickets:
    def __init__(self) -> None:
        self.opened: list[dict[str, Any]] = []

    def open_ticket(self, requester, channel, conversation_id, reason, summary, transcript):
        self.opened.append(
            dict(
                requester=requester,
                channel=channel,
                reason=reason,
                conversation_id=conversation_id,
                summary=summary,
                transcript=transcript,
            )
        )
        return type("Ticket", (), {"ticket_id": f"HD-{len(self.opened):06d}"})()


def _bed(ward: str, n: int, status: str, features=()) -> Bed:
    return Bed(
        f"bed-{ward.lower()}-{n:02d}",
        f"{ward} Bed {n}",
        f"ward-{ward.lower()}",
        ward,
        status,
        frozenset(features),
        room="Bay 1",
        version="1",
    )


@dataclass
class FakeHms:
    actor: str | None = None
    fail: dict[str, Exception] = field(default_factory=dict)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    wards: list[Ward] = field(
        default_factory=lambda: [
            Ward("ward-4b", "4B", "Ward 4B", ("Medical 4B", "four b")),
            Ward("ward-7c", "7C", "Ward 7C", ("seven c",)),
        ]
    )
    beds: list[Bed] = field(
        default_factory=lambda: [
            _bed("4B", 1, "O"),
            _bed("4B", 2, "U"),
            _bed("4B", 3, "U", {"side-room"}),
            _bed("7C", 1, "U"),
            _bed("7C", 2, "H"),
        ]
    )
    patients: list[Patient] = field(
        default_factory=lambda: [
            Patient("p-1", "10004821", "Mary", "Smith"),
            Patient("p-2", "10009999", "John", "Doe"),
        ]
    )
    stays: dict[str, Stay] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # ticket -> notes added
    services: list[Service] = field(
        default_factory=lambda: [Service("svc-cardiology", "cardiology", "Cardiology Clinic")]
    )
    slots: list[Slot] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    tasks: list[HelpTask] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.stays:
            self.stays = {
                "p-1": Stay("e-1", "p-1", self.beds[0], "4B"),
                "p-2": Stay("e-2", "p-2", self.beds[4], "7C"),
            }
        if not self.slots:
            base = NOW.replace(hour=9, minute=0) + timedelta(days=1)
            self.slots = [
                Slot(
                    f"slot-{i}",
                    "sch-1",
                    "cardiology",
                    "prac-dr-patel",
                    base + timedelta(minutes=30 * i),
                    base + timedelta(minutes=30 * i + 30),
                    "free",
                    "1",
                )
                for i in range(8)
            ]

    def _call(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if name in self.fail:
            raise self.fail[name]

    def with_actor(self, username: str) -> FakeHms:
        view = dataclasses.replace(self)  # shares the same lists
        view.actor = username
        return view

    async def find_staff(self, username=None, email=None, name=None):
        self._call("find_staff", username)
        if name:
            return [s for s in STAFF.values() if name.casefold() in s.name.casefold()]
        return [STAFF[username]] if username in STAFF else []

    async def list_staff_with_role(self, role):
        self._call("list_staff_with_role", role)
        return [s for s in STAFF.values() if role in s.roles]

    async def occupants(self, bed_ids):
        self._call("occupants", tuple(bed_ids))
        return {
            stay.bed.id: stay.patient_id
            for stay in self.stays.values()
            if stay.bed is not None and stay.bed.id in bed_ids
        }

    async def list_wards(self):
        self._call("list_wards")
        return list(self.wards)

    async def get_ward(self, code_or_name):
        self._call("get_ward", code_or_name)
        for ward in self.wards:
            if ward.matches(code_or_name):
                return ward
        raise NotFound("ward")

    async def find_beds(self, ward_code=None, status=None, feature=None):
        self._call("find_beds", ward_code, status, feature)
        return [
            b
            for b in self.beds
            if (ward_code is None or b.ward_code == ward_code)
            and (status is None or b.status == status)
            and (feature is None or feature in b.features)
        ]

    async def free_beds(self, ward_code=None, feature=None):
        return await self.find_beds(ward_code, "U", feature)

    async def bed_summary(self):
        self._call("bed_summary")
        out = []
        for ward in self.wards:
            beds = [b for b in self.beds if b.ward_code == ward.code]
            out.append(BedSummary(ward.code, ward.name, sum(b.is_free for b in beds), len(beds)))
        return out

    async def get_bed(self, ward_code, bed_number):
        self._call("get_bed", ward_code, bed_number)
        for bed in self.beds:
            if bed.ward_code == ward_code and bed.id.endswith(f"-{int(bed_number):02d}"):
                return bed
        raise NotFound("bed")

    async def set_bed_status(self, bed_id, code):
        self._call("set_bed_status", bed_id, code)
        for i, bed in enumerate(self.beds):
            if bed.id == bed_id:
                self.beds[i] = replace(bed, status=code)
                return self.beds[i]
        raise NotFound("bed")

    async def find_patients(self, mrn=None, name=None):
        self._call("find_patients", mrn, name)
        out = []
        for p in self.patients:
            if mrn and p.mrn != mrn:
                continue
            if name and name.casefold() not in p.display_name.casefold():
                continue
            out.append(p)
        return out

    async def get_patient(self, patient_id):
        return next(p for p in self.patients if p.id == patient_id)

    async def current_stay(self, patient_id):
        self._call("current_stay", patient_id)
        return self.stays.get(patient_id)

    async def list_services(self):
        return list(self.services)

    async def get_service(self, code_or_name):
        self._call("get_service", code_or_name)
        for svc in self.services:
            if code_or_name.casefold() in (svc.code, svc.name.casefold()):
                return svc
        raise NotFound("service")

    async def free_slots(self, service_code=None, practitioner_id=None, *, start_from, count=3):
        self._call("free_slots", service_code, practitioner_id, start_from)
        found = [
            s
            for s in self.slots
            if s.status == "free"
            and s.start >= start_from
            and (service_code is None or s.service_code == service_code)
            and (practitioner_id is None or s.practitioner_id == practitioner_id)
        ]
        return sorted(found, key=lambda s: s.start)[:count]

    async def get_slot(self, slot_id):
        self._call("get_slot", slot_id)
        for slot in self.slots:
            if slot.id == slot_id:
                return slot
        raise NotFound("slot")

    async def book(self, patient_id, slot_id, practitioner_id=None, slot_version=None):
        self._call("book", patient_id, slot_id)
        slot = await self.get_slot(slot_id)
        if slot.status != "free":
            raise Conflict("slot taken", status=409)
        self.slots[self.slots.index(slot)] = replace(slot, status="busy")
        appt = Appointment(
            f"appt-{len(self.appointments) + 1}",
            "booked",
            patient_id,
            slot.practitioner_id,
            slot_id,
            slot.start,
            slot.end,
            slot.service_code,
        )
        self.appointments.append(appt)
        return appt

    async def list_appointments(
        self, patient_id=None, practitioner_id=None, date=None, status="booked", service_code=None
    ):
        self._call("list_appointments", patient_id)
        return [
            a
            for a in self.appointments
            if (patient_id is None or a.patient_id == patient_id)
            and (practitioner_id is None or a.practitioner_id == practitioner_id)
            and (service_code is None or a.service_code == service_code)
            and (date is None or (a.start is not None and a.start.date() == date))
            and (status is None or a.status == status)
        ]

    async def cancel_appointment(self, appointment_id):
        self._call("cancel_appointment", appointment_id)
        for i, appt in enumerate(self.appointments):
            if appt.id == appointment_id:
                self.appointments[i] = replace(appt, status="cancelled")
                for j, slot in enumerate(self.slots):
                    if slot.id == appt.slot_id:
                        self.slots[j] = replace(slot, status="free")
                return self.appointments[i]
        raise NotFound("appointment")

    async def create_task(self, help_type, location_id, priority, description, requester_username):
        self._call("create_task", help_type, location_id, priority)
        task = HelpTask(
            f"task-{len(self.tasks) + 1}",
            f"HR-{len(self.tasks) + 1:06d}",
            help_type,
            "requested",
            priority,
            location_id,
            description,
            requester_username,
            None,
            "waiting for a porter",
            NOW,
        )
        self.tasks.append(task)
        return task

    async def get_task(self, ticket_id):
        self._call("get_task", ticket_id)
        for task in self.tasks:
            if task.ticket_id == ticket_id:
                return task
        raise NotFound("task")

    async def list_tasks(self, requester_username=None, status=None, help_type=None):
        self._call("list_tasks", requester_username)
        wanted = {s for s in (status or "").split(",") if s}
        return [
            t
            for t in self.tasks
            if requester_username in (None, t.requester)
            and (not wanted or t.status in wanted)
            and help_type in (None, t.help_type)
        ]

    async def place_names(self, location_ids):
        self._call("place_names", tuple(location_ids))
        names = {w.id: w.name for w in self.wards} | {b.id: b.label for b in self.beds}
        return {i: names[i] for i in location_ids if i in names}

    async def update_task(
        self,
        ticket_id,
        *,
        status=None,
        owner_username=None,
        business_status=None,
        note=None,
        priority=None,
        location_id=None,
        clear_owner=False,
    ):
        self._call("update_task", ticket_id, status)
        if note:
            self.notes.setdefault(ticket_id, []).append(note)
        for i, task in enumerate(self.tasks):
            if task.ticket_id == ticket_id:
                self.tasks[i] = replace(
                    task,
                    status=status or task.status,
                    owner=None if clear_owner else owner_username or task.owner,
                    business_status=business_status or task.business_status,
                    priority=priority or task.priority,
                    location_id=location_id or task.location_id,
                    notes=(*task.notes, note) if note else task.notes,
                )
                return self.tasks[i]
        raise NotFound("task")

    async def ping(self):
        return "fake"

    async def aclose(self):
        return None


SENDER = "rest:test:1"  # the sender id of every fake tracker (principals are bound to it)


@dataclass
class FakeServices(Services):
    """``Services`` whose HMS is known to be the fake (tests read its calls and records)."""

    hms: FakeHms


def make_services(
    hms: FakeHms | None = None, audit: Any = None, tickets: Any = None
) -> FakeServices:
    settings = dataclasses.replace(
        get_settings(),
        signing_key=KEY,
        principal_key=KEY,
        emergency_number="2222",
        hospital_tz="Europe/London",
    )
    return FakeServices(
        settings=settings,
        hms=hms or FakeHms(),
        audit=audit or InMemoryAuditSink(),
        policy=load_policy(),
        tickets=tickets or FakeTickets(),
        clock=lambda: NOW,
        staff_cache=StaffCache(),
    )


def tracker(
    user: str | None = "n.jones",
    *,
    intent: str = "greet",
    text: str = "hi",
    slots: dict[str, Any] | None = None,
    entities: list[dict] | None = None,
    principal: Any = "signed",
    events: list[dict] | None = None,
    active_loop: str | None = None,
    safety: str | None = None,
) -> Tracker:
    metadata: dict[str, Any] = {}
    if safety is not None:
        metadata["safety"] = safety
    if principal == "signed" and user is not None:
        metadata["principal"] = sign_principal(
            KEY, user, "rest", sender=SENDER, now=NOW.timestamp()
        )
    elif principal not in ("signed", None):
        metadata["principal"] = principal
    latest = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "text": text,
        "metadata": metadata,
    }
    return Tracker(
        SENDER,
        dict(slots or {}),
        latest,
        events or [],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


async def run(action, trk: Tracker) -> tuple[list[dict], list[dict]]:
    """Run an action; every reply's facts must fit their declared type (``kinds``)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, trk, {})
    wrong = misfits(dispatcher.messages)
    assert not wrong, wrong
    return dispatcher.messages, events


def only_resets(events: list[dict]) -> bool:
    """True when the events only end the task: leave the form, clear slots (no data set)."""
    return all(
        (e["event"] == "active_loop" and e.get("name") is None)
        or (e["event"] == "slot" and e.get("value") is None)
        for e in events
    )
