"""Deterministic demo hospital: wards, beds, patients, stays, staff, clinics, slots.

Same seed -> same hospital (MRNs, names, bed states); slot dates start from today in the
hospital's time zone, so the calendar moves with the clock but the pattern does not.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session

from hms import models
from hms.fhir import EMAIL_DOMAIN
from hms.seed_data import (
    CLINICIANS,
    CLINICS,
    FAMILY,
    GIVEN_F,
    GIVEN_M,
    MONITORED_WARDS,
    NAMED_STAFF,
    NURSE_NAMES,
    SEED,
    WARDS,
)
from hms.timeutil import now, to_storage, utcnow

PATIENTS = 300
SLOT_WEEKS = 4
BED_STATUS_WEIGHTS = {"O": 68, "U": 17, "H": 6, "C": 3, "K": 3, "I": 3}
TABLES = (
    models.Task,
    models.Appointment,
    models.Slot,
    models.Schedule,
    models.PractitionerRole,
    models.HealthcareService,
    models.Practitioner,
    models.Encounter,
    models.Patient,
    models.Location,
)


class AlreadySeeded(Exception):
    """The database already holds a hospital (use ``reset=True`` to recreate it)."""


@dataclass(frozen=True)
class SeedReport:
    counts: dict[str, int]


def practitioner_id(username: str) -> str:
    return "prac-" + username.replace(".", "-")


def is_seeded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(models.Location)))


# Made-up patients' dates of birth are counted back from a fixed day, not from today, so a
# patient keeps one date of birth from one day to the next (staff, demos and dialogue tests
# say it to pick between two patients of the same name). Calendars still start today.
BIRTHS_COUNTED_FROM = date(2026, 12, 2)


def seed(
    engine: Engine,
    tz_name: str = "Europe/London",
    reset: bool = False,
    today: date | None = None,
    rng_seed: int = SEED,
) -> SeedReport:
    """Fill an empty (migrated) database; ``AlreadySeeded`` unless empty or ``reset``.

    ``rng_seed`` picks the made-up patients (the practice hospital uses another one).
    """
    tz = ZoneInfo(tz_name)
    today = today or now().astimezone(tz).date()
    with Session(engine) as session, session.begin():
        if is_seeded(session):
            if not reset:
                raise AlreadySeeded("the HMS database already holds a hospital")
            for table in TABLES:
                session.execute(delete(table))
        builder = _Builder(random.Random(rng_seed), tz, today)
        rows = builder.build()
        for model in reversed(TABLES):
            if rows.get(model):
                session.execute(insert(model), rows[model])
        return SeedReport({m.__tablename__: len(rows.get(m, [])) for m in reversed(TABLES)})


class _Builder:
    def __init__(self, rng: random.Random, tz: ZoneInfo, today: date) -> None:
        self.rng, self.tz, self.today = rng, tz, today
        self.now = utcnow()
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.mrns = iter(sorted(rng.sample(range(10_000_000, 10_999_999), PATIENTS)))
        self.patient_count = 0

    def add(self, model: Any, **values: Any) -> dict[str, Any]:
        values.setdefault("version", 1)
        values.setdefault("updated_at", self.now)
        self.rows.setdefault(model, []).append(values)
        return values

    def build(self) -> dict[Any, list[dict[str, Any]]]:
        self.wards_and_beds()
        while self.patient_count < PATIENTS:
            self.patient(min_age=16, max_age=95)
        self.staff()
        self.clinics_and_slots()
        return self.rows

    def wards_and_beds(self) -> None:
        encounter = 0
        for code, name, aliases, beds in WARDS:
            ward_id = f"ward-{code.lower()}"
            self.add(
                models.Location,
                id=ward_id,
                physical_type="wa",
                code=code,
                name=name,
                aliases=list(aliases),
                search_text="|".join((name, *aliases)).lower(),
                features="",
            )
            for n in range(1, beds + 1):
                side_room = n > beds - 4
                features = ["side-room"] if side_room else []
                if side_room and n % 2:
                    features.append("isolation")
                if code in MONITORED_WARDS:
                    features.append("monitored")
                if n == 5 and code not in ("PAED", "MAT"):
                    features.append("bariatric")
                if code == "PAED" and n <= 12:
                    features.append("paediatric-cot")
                status = self.rng.choices(
                    list(BED_STATUS_WEIGHTS), list(BED_STATUS_WEIGHTS.values())
                )[0]
                if status == "I" and not side_room:
                    status = "O"
                if code == "4B" and n in (3, 11, 17):
                    status = "U"  # the demo always has a few free beds on 4B
                label = f"{code}-{n:02d}"
                bed_id = f"bed-{code.lower()}-{n:02d}"
                room = f"Side room {n - beds + 4}" if side_room else f"Bay {(n - 1) // 6 + 1}"
                bed_name = f"{code} Bed {n}"
                self.add(
                    models.Location,
                    id=bed_id,
                    physical_type="bd",
                    code=label,
                    name=bed_name,
                    aliases=[],
                    search_text=bed_name.lower(),
                    description=room,
                    part_of_id=ward_id,
                    operational_status=status,
                    features="|" + "|".join(features) + "|" if features else "",
                )
                if status in ("O", "I"):
                    encounter += 1
                    patient = self.ward_patient(code)
                    days = self.rng.randint(0, 12)
                    self.add(
                        models.Encounter,
                        id=f"enc-{encounter:06d}",
                        status="in-progress",
                        class_code="IMP",
                        patient_id=patient,
                        location_id=bed_id,
                        period_start=self.now.replace(minute=0, second=0)
                        - timedelta(days=days, hours=self.rng.randint(0, 23)),
                    )

    def ward_patient(self, ward: str) -> str:
        if ward == "PAED":
            return self.patient(0, 15)
        if ward == "MAT":
            return self.patient(18, 44, gender="female")
        return self.patient(18, 95)

    def patient(self, min_age: int, max_age: int, gender: str | None = None) -> str:
        self.patient_count += 1
        gender = gender or self.rng.choice(("female", "male"))
        given = self.rng.choice(GIVEN_F if gender == "female" else GIVEN_M)
        family = self.rng.choice(FAMILY)
        born = BIRTHS_COUNTED_FROM - timedelta(
            days=self.rng.randint(min_age * 365, max_age * 365 + 300)
        )
        pid = f"pat-{self.patient_count:06d}"
        self.add(
            models.Patient,
            id=pid,
            mrn=str(next(self.mrns)),
            family=family,
            given=given,
            gender=gender,
            birth_date=born,
            search_text=f"{given} {family}".lower(),
        )
        return pid

    def person(self, username: str, prefix: str | None, given: str, family: str) -> str:
        pid = practitioner_id(username)
        display = " ".join(p for p in (prefix, given, family) if p)
        self.add(
            models.Practitioner,
            id=pid,
            username=username,
            prefix=prefix,
            given=given,
            family=family,
            email=f"{username}@{EMAIL_DOMAIN}",
            search_text=f"{display}|{username}".lower(),
        )
        return pid

    def role(
        self, prac: str, role: str, location: str | None = None, service: str | None = None
    ) -> None:
        self.add(
            models.PractitionerRole,
            id=f"role-{prac[5:]}-{role.replace('_', '-')}",
            practitioner_id=prac,
            role=role,
            location_id=location,
            service_id=f"svc-{service}" if service else None,
            specialty=service,
        )

    def staff(self) -> None:
        for code, name in CLINICS:
            self.add(
                models.HealthcareService,
                id=f"svc-{code}",
                code=code,
                name=name,
                search_text=f"{name}|{code}".lower(),
            )
        for username, prefix, given, family, role, where in NAMED_STAFF:
            prac = self.person(username, prefix, given, family)
            if role == "nurse":
                self.role(prac, role, location=f"ward-{str(where).lower()}")
            else:
                self.role(prac, role, service=where)
        posts = [w[0] for w in WARDS for _ in range(2)]
        posts.remove("4B")  # n.jones is the other 4B nurse
        for (given, family), ward in zip(NURSE_NAMES, posts, strict=True):
            prac = self.person(f"{given[0].lower()}.{family.lower()}", None, given, family)
            self.role(prac, "nurse", location=f"ward-{ward.lower()}")
        for clinic, people in CLINICIANS.items():
            for given, family in people:
                username = "dr." + family.lower().replace("'", "")
                prac = self.person(username, "Dr", given, family)
                self.role(prac, "clinician", service=clinic)

    def clinics_and_slots(self) -> None:
        clinicians = [
            (r["practitioner_id"], r["specialty"])
            for r in self.rows[models.PractitionerRole]
            if r["role"] == "clinician"
        ]
        outpatients = [p["id"] for p in self.rows[models.Patient]]
        slot_n = 0
        for prac, clinic in clinicians:
            schedule = f"sch-{clinic}-{prac[5:]}"
            self.add(
                models.Schedule,
                id=schedule,
                practitioner_id=prac,
                service_id=f"svc-{clinic}",
                service_code=clinic,
            )
            minutes = self.rng.choice((20, 30))
            for day in range(SLOT_WEEKS * 7):
                current = self.today + timedelta(days=day)
                if current.weekday() >= 5:
                    continue
                start = datetime.combine(current, datetime.min.time()).replace(hour=9)
                while start + timedelta(minutes=minutes) <= start.replace(hour=17):
                    end = start + timedelta(minutes=minutes)
                    slot_n += 1
                    busy = self.rng.random() < 0.3
                    slot_id = f"slot-{slot_n:06d}"
                    utc_start, utc_end = to_storage(start, self.tz), to_storage(end, self.tz)
                    self.add(
                        models.Slot,
                        id=slot_id,
                        schedule_id=schedule,
                        practitioner_id=prac,
                        service_code=clinic,
                        status="busy" if busy else "free",
                        start=utc_start,
                        end=utc_end,
                    )
                    if busy:
                        self.add(
                            models.Appointment,
                            status="booked",
                            slot_id=slot_id,
                            patient_id=self.rng.choice(outpatients),
                            practitioner_id=prac,
                            service_code=clinic,
                            start=utc_start,
                            end=utc_end,
                            created=self.now,
                            updated_by="seed",
                        )
                    start = end
