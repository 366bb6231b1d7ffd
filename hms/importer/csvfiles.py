"""Legacy CSV exports -> records. The column mapping (docs/import.md) is data: ``KINDS``.

Headers are matched case-insensitively with spaces and punctuation ignored, and each
column has the names legacy systems commonly use for it (``Hospital No`` = ``mrn``,
``DOB`` = ``birth_date``...). The kind of file (beds, staff, patients, appointments) is
told from its header unless given. Files are read as UTF-8 (a BOM is fine), falling back
to Windows-1252, as spreadsheets export them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hms.importer import records as r
from hms.importer import values as v


@dataclass(frozen=True)
class Kind:
    name: str
    columns: dict[str, tuple[str, ...]]  # our column -> accepted header names
    required: frozenset[str]


def _kind(name: str, required: str, **columns: str) -> Kind:
    return Kind(
        name,
        {col: (col, *names.split()) for col, names in columns.items()},
        frozenset(required.split()),
    )


KINDS: tuple[Kind, ...] = (
    _kind(
        "beds",
        "ward_code",
        ward_code="ward unit unit_code ward_id",
        ward_name="unit_name ward_description",
        ward_aliases="aliases other_names",
        bed="bed_number bed_no bed_code bed_id",
        room="bay room_name",
        features="bed_features bed_type",
        status="bed_status state",
    ),
    _kind(
        "staff",
        "username given family email roles",
        username="login user_id staff_id user_name",
        prefix="title",
        given="first_name forename given_name firstname",
        family="surname last_name family_name lastname",
        email="e_mail email_address mail",
        roles="role job_role",
        wards="ward ward_codes units",
        clinic="service department specialty",
    ),
    _kind(
        "patients",
        "mrn family given birth_date",
        mrn="hospital_number hospital_no hosp_no medical_record_number mrn_number",
        family="surname last_name family_name lastname",
        given="first_name forename given_name firstname",
        birth_date="dob date_of_birth birthdate",
        gender="sex",
    ),
    _kind(
        "appointments",
        "mrn clinician clinic start",
        mrn="hospital_number hospital_no hosp_no medical_record_number",
        clinician="practitioner consultant doctor clinician_username",
        clinic="service department specialty",
        start="appointment_start start_time date_time appointment_time",
        end="end_time appointment_end",
        duration_minutes="duration length_minutes minutes",
    ),
)
KIND_BY_NAME = {k.name: k for k in KINDS}


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def header_map(kind: Kind, header: list[str]) -> dict[str, int]:
    """Our column -> position in the file."""
    positions = {_norm(h): i for i, h in enumerate(header)}
    found = {}
    for col, names in kind.columns.items():
        for name in names:
            if _norm(name) in positions:
                found[col] = positions[_norm(name)]
                break
    return found


def detect(header: list[str]) -> Kind | None:
    """The kind whose required columns the header has (the most specific one wins)."""
    fits = sorted(
        (k for k in KINDS if k.required <= set(header_map(k, header))),
        key=lambda k: -len(k.required),
    )
    if not fits or (len(fits) > 1 and len(fits[0].required) == len(fits[1].required)):
        return None
    return fits[0]


@dataclass(frozen=True)
class CsvRows:
    kind: Kind
    items: list[r.Item]
    rejected: list[r.Rejection]
    read: int


def parse(path: Path, tz: ZoneInfo, today: date, kind_name: str | None = None) -> CsvRows:
    """Records of a CSV file; ``RowError`` if the file as a whole cannot be used."""
    rows = list(csv.reader(io.StringIO(read_text(path))))
    if not rows:
        raise r.RowError("the file is empty")
    header, body = rows[0], rows[1:]
    kind = KIND_BY_NAME.get(kind_name or "") or detect(header)
    if kind is None:
        raise r.RowError(
            "cannot tell what this CSV holds from its header; name the kind "
            f"({', '.join(KIND_BY_NAME)})"
        )
    cols = header_map(kind, header)
    missing = sorted(kind.required - set(cols))
    if missing:
        raise r.RowError(f"missing column(s) for {kind.name}: {', '.join(missing)}")
    reader = READERS[kind.name]
    items, rejected, read = [], [], 0
    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        read += 1
        where = f"row {number}"

        def cell(col: str, row: list[str] = row) -> str | None:
            at = cols.get(col)
            return row[at] if at is not None and at < len(row) else None

        try:
            items += [r.Item(where, rec) for rec in reader(cell, tz, today)]
        except r.RowError as exc:
            rejected.append(r.Rejection(where, str(exc)))
    return CsvRows(kind, items, rejected, read)


Cell = Callable[[str], str | None]


def _beds(cell: Cell, _tz: ZoneInfo, _today: date) -> Iterator[r.Record]:
    ward = v.code(cell("ward_code"), "ward_code")
    name = v.optional(cell("ward_name"))
    if name:
        yield r.Ward(ward, name, tuple(v.split(cell("ward_aliases"))))
    bed = v.optional(cell("bed"))
    if bed is None:
        if not name:
            raise r.RowError("a row needs a bed or a ward_name")
        return
    code = f"{ward}-{int(bed):02d}" if bed.isdigit() else v.code(bed, "bed")
    if not code.startswith(f"{ward}-"):
        raise r.RowError(f"bed must be a number or a code starting {ward}-")
    number = code.removeprefix(f"{ward}-").lstrip("0") or "0"
    yield r.Bed(
        ward_code=ward,
        code=code,
        name=f"{ward} Bed {number}",
        room=v.optional(cell("room")),
        features=v.features(cell("features"), "features"),
        status=v.a_status(cell("status"), "status"),
    )


def _staff(cell: Cell, _tz: ZoneInfo, _today: date) -> Iterator[r.Record]:
    roles = v.roles(cell("roles"), "roles")
    wards = [v.code(w, "wards") for w in v.split(cell("wards"))]
    clinic = v.optional(cell("clinic"))
    places: list[r.RoleAt] = []
    for role in roles:
        if role == "nurse" and wards:
            places += [r.RoleAt(role, ward_code=w) for w in wards]
        elif role == "clinician" and clinic:
            places.append(r.RoleAt(role, service_code=clinic.lower()))
        else:
            places.append(r.RoleAt(role))
    yield r.Staff(
        username=v.username(cell("username"), "username"),
        prefix=v.optional(cell("prefix")),
        given=v.required(cell("given"), "given")[:64],
        family=v.required(cell("family"), "family")[:64],
        email=v.email(cell("email"), "email"),
        roles=tuple(places),
    )


def _patients(cell: Cell, _tz: ZoneInfo, today: date) -> Iterator[r.Record]:
    yield r.Patient(
        mrn=v.required(cell("mrn"), "mrn"),
        family=v.required(cell("family"), "family")[:64],
        given=v.required(cell("given"), "given")[:64],
        birth_date=v.a_birth_date(cell("birth_date"), "birth_date", today),
        gender=v.a_gender(cell("gender"), "gender"),
    )


def _appointments(cell: Cell, tz: ZoneInfo, _today: date) -> Iterator[r.Record]:
    start = v.a_time(cell("start"), "start", tz)
    if v.optional(cell("end")):
        end = v.a_time(cell("end"), "end", tz)
    else:
        raw = v.optional(cell("duration_minutes")) or "30"
        if not raw.isdigit() or not 5 <= int(raw) <= 480:
            raise r.RowError("duration_minutes must be a whole number from 5 to 480")
        end = start + timedelta(minutes=int(raw))
    yield r.Appointment(
        mrn=v.required(cell("mrn"), "mrn"),
        clinician=v.username(cell("clinician"), "clinician"),
        service_code=v.required(cell("clinic"), "clinic").lower(),
        start=start,
        end=end,
    )


READERS: dict[str, Callable[[Cell, ZoneInfo, date], Iterator[r.Record]]] = {
    "beds": _beds,
    "staff": _staff,
    "patients": _patients,
    "appointments": _appointments,
}
