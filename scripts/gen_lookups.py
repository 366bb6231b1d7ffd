"""Generate NLU lookup tables and synonyms from the HMS directory.

Reads wards (``Location`` physicalType ``wa`` with ``alias``), clinics (``HealthcareService``
with type ``urn:hms:service-type``), clinicians (``Practitioner`` holding a
``PractitionerRole`` with role ``clinician``) and bed features (``Location.type``
``urn:hms:bed-feature``), all as FHIR R4 JSON, and writes
``training_data/nlu/directory.yml``: one lookup table per entity and one synonym block per
canonical value. ``ward`` resolves to the ward code (``4B``), ``department`` to the
service-type code (``cardiology``), ``clinician`` to the staff username (``a.patel``) and
``bed_type`` to the bed-feature code (``side-room``).

Sources:
  (default) / --hms-url URL   the HMS FHIR API; bearer token HMS_API_TOKEN (get_settings())
  --from-seed                 the reference HMS seed (hms.seed) loaded into a temporary
                              SQLite database, rendered with the HMS's own FHIR mappers
  --check                     exit 1 if the output file differs from what would be written

Usage: .venv/bin/python scripts/gen_lookups.py --from-seed
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "training_data" / "nlu" / "directory.yml"
HEADER = (
    "# GENERATED - DO NOT EDIT. Produced by scripts/gen_lookups.py from the HMS directory\n"
    "# (wards, clinics, clinicians, bed features). Regenerate with:\n"
    "#   .venv/bin/python scripts/gen_lookups.py --from-seed   (or --hms-url URL)\n"
)
SYS_WARD = "urn:hms:ward"
SYS_STAFF = "urn:hms:staff"
SYS_SERVICE = "urn:hms:service-type"
SYS_FEATURE = "urn:hms:bed-feature"
SYS_ROLE = "urn:hms:role"

Json = dict[str, Any]

_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()

# Well-known ways staff name wards/clinics/bed types, applied only to codes the directory
# actually has. The directory's own names and aliases always come first.
WARD_EXTRA: dict[str, tuple[str, ...]] = {
    "ED": (
        "a&e",
        "a & e",
        "a and e",
        "a n e",
        "accident and emergency",
        "emergency department",
        "the emergency department",
        "casualty",
        "resus",
    ),
    "ICU": ("itu", "i c u", "intensive care", "intensive care unit", "critical care"),
    "HDU": ("h d u", "high dependency", "high dependency unit"),
    "CCU": ("c c u", "coronary care", "coronary care unit", "the coronary care unit"),
    "MAT": ("maternity", "maternity ward", "labour ward", "labor ward"),
    "PAED": (
        "paeds",
        "peds",
        "paediatrics",
        "pediatrics",
        "children's ward",
        "childrens ward",
        "kids ward",
    ),
}
SERVICE_EXTRA: dict[str, tuple[str, ...]] = {
    "cardiology": ("cardio", "heart clinic"),
    "orthopaedics": ("ortho", "orthopedics", "orthopaedic", "orthopedic", "fracture clinic"),
    "dermatology": ("derm", "skin clinic"),
    "neurology": ("neuro",),
    "respiratory": ("resp", "chest clinic"),
    "diabetes": ("diabetic", "diabetic clinic"),
    "ent": ("e n t", "ear nose and throat"),
    "ophthalmology": ("eye clinic", "eyes", "ophthalmic", "opthalmology"),
    "oncology": ("onc", "cancer clinic"),
    "physiotherapy": ("physio", "physical therapy"),
}
FEATURE_EXTRA: dict[str, tuple[str, ...]] = {
    "isolation": ("iso", "isolation bed", "isolation room", "isolation rooms"),
    "side-room": ("side rooms", "sideroom", "siderooms"),
    "bariatric": ("bariatric bed",),
    "monitored": ("monitored bed", "telemetry"),
    "paediatric-cot": ("cot", "cots", "pediatric cot", "paeds cot"),
}


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    code: str
    name: str


@dataclass(frozen=True)
class Clinician:
    username: str
    prefix: str
    given: str
    family: str


@dataclass(frozen=True)
class Feature:
    code: str
    display: str


@dataclass(frozen=True)
class Directory:
    wards: tuple[Ward, ...]
    services: tuple[Service, ...]
    clinicians: tuple[Clinician, ...]
    features: tuple[Feature, ...]


# --- FHIR JSON -> Directory -------------------------------------------------------------


def _ident(resource: Json, system: str) -> str | None:
    for ident in resource.get("identifier", []):
        if ident.get("system") == system:
            return str(ident["value"])
    return None


def _codings(concepts: Iterable[Json], system: str) -> list[Json]:
    return [c for cc in concepts for c in cc.get("coding", []) if c.get("system") == system]


def directory_from_resources(
    wards: list[Json],
    beds: list[Json],
    services: list[Json],
    roles: list[Json],
    practitioners: list[Json],
) -> Directory:
    """Build the directory from FHIR resources (as returned by searches)."""
    ward_rows = []
    for res in wards:
        code = _ident(res, SYS_WARD) or res["id"].removeprefix("ward-").upper()
        ward_rows.append(Ward(code, res.get("name", code), tuple(res.get("alias", []))))
    service_rows = []
    for res in services:
        types = _codings(res.get("type", []), SYS_SERVICE)
        code = types[0]["code"] if types else res["id"].removeprefix("svc-")
        service_rows.append(Service(code, str(res.get("name", code))))
    clinician_ids = {
        r.get("practitioner", {}).get("reference", "").split("/")[-1]
        for r in roles
        if any(c.get("code") == "clinician" for c in _codings(r.get("code", []), SYS_ROLE))
    }
    clinicians = []
    for res in practitioners:
        username = _ident(res, SYS_STAFF)
        if res.get("id") not in clinician_ids or not username or not res.get("name"):
            continue
        name = res["name"][0]
        prefix = (name.get("prefix") or [""])[0]
        clinicians.append(
            Clinician(username, prefix, " ".join(name.get("given", [])), name.get("family", ""))
        )
    features: dict[str, str] = {}
    for res in beds:
        for coding in _codings(res.get("type", []), SYS_FEATURE):
            features[coding["code"]] = coding.get("display") or coding["code"]
    return Directory(
        wards=tuple(sorted(ward_rows, key=lambda w: w.code)),
        services=tuple(sorted(service_rows, key=lambda s: s.code)),
        clinicians=tuple(sorted(clinicians, key=lambda c: c.username)),
        features=tuple(Feature(k, v) for k, v in sorted(features.items())),
    )


def fetch_from_api(base_url: str, token: str, transport: Any = None) -> Directory:
    """Read the directory through the HMS FHIR API with the assistant's FHIR transport
    (``assistant.hms.transport.FhirHttp``: Bundle ``next`` links, retries, same origin)."""
    import asyncio

    from assistant.hms.transport import FhirHttp

    async def read() -> Directory:
        http = FhirHttp(base_url, token, timeout=30.0, transport=transport)

        async def search(
            resource: str, params: dict[str, str], include: bool = False
        ) -> list[Json]:
            query = {**params, "_count": "1000"}
            return [res async for res in http.search(resource, query, include=include)]

        try:
            roles = await search(
                "PractitionerRole",
                {"role": "clinician", "_include": "PractitionerRole:practitioner"},
                include=True,
            )
            return directory_from_resources(
                wards=await search("Location", {"physical-type": "wa"}),
                beds=await search("Location", {"physical-type": "bd"}),
                services=await search("HealthcareService", {}),
                roles=[r for r in roles if r.get("resourceType") == "PractitionerRole"],
                practitioners=[r for r in roles if r.get("resourceType") == "Practitioner"],
            )
        finally:
            await http.aclose()

    return asyncio.run(read())


def fetch_from_seed() -> Directory:
    """Seed a temporary SQLite HMS and render its directory with the HMS's FHIR mappers."""
    import tempfile
    from datetime import date

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from hms import models
    from hms.db import make_engine
    from hms.fhir.location import location_json
    from hms.fhir.people import practitioner_json, role_json
    from hms.fhir.scheduling import service_json
    from hms.seed import seed

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'hms.db'}")
        models.Base.metadata.create_all(engine)
        seed(engine, today=date(2024, 1, 1))  # fixed day: the directory must not move
        with Session(engine) as session:
            locations = list(session.scalars(select(models.Location)))
            directory = directory_from_resources(
                wards=[location_json(r) for r in locations if r.physical_type == "wa"],
                beds=[location_json(r) for r in locations if r.physical_type == "bd"],
                services=[
                    service_json(r) for r in session.scalars(select(models.HealthcareService))
                ],
                roles=[role_json(r) for r in session.scalars(select(models.PractitionerRole))],
                practitioners=[
                    practitioner_json(r) for r in session.scalars(select(models.Practitioner))
                ],
            )
        engine.dispose()
    return directory


# --- Directory -> directory.yml ---------------------------------------------------------


def _spoken(code: str) -> list[str]:
    """Spoken forms of a ward code: ``4B`` -> ``four b``, ``4 b``; ``7`` -> ``seven``."""
    digits = "".join(ch for ch in code.lower() if ch.isdigit())
    rest = "".join(ch for ch in code.lower() if not ch.isdigit())
    if not digits:
        return []
    out = [f"{_NUMBERS[int(digits)]} {rest}".strip()] if int(digits) < len(_NUMBERS) else []
    return out + ([f"{digits} {rest}"] if rest else [])


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = " ".join(value.lower().split())
        if key and key not in seen:
            seen.add(key)
            out.append(key)
    return out


_ABBREV = {"medical": "med", "surgical": "surg"}


def ward_forms(ward: Ward) -> list[str]:
    forms = [ward.code, ward.name, *ward.aliases]
    spoken = _spoken(ward.code)
    for base in [ward.code.lower(), *spoken]:
        forms += [base, f"ward {base}"]
    for name in [ward.name, *ward.aliases]:
        low = name.lower()
        if ward.code.lower() in low.split():
            forms += [low.replace(ward.code.lower(), s) for s in spoken[:1]]
        forms += [low.replace(word, short) for word, short in _ABBREV.items() if word in low]
    return _unique([*forms, *WARD_EXTRA.get(ward.code.upper(), ())])


def service_forms(service: Service) -> list[str]:
    short = service.name.lower().removesuffix(" clinic")
    return _unique(
        [
            service.code,
            service.name,
            short,
            f"{service.code} clinic",
            f"{short} clinic",
            *SERVICE_EXTRA.get(service.code.lower(), ()),
        ]
    )


def clinician_forms(c: Clinician) -> list[str]:
    titles = _unique(
        [c.prefix.rstrip("."), "dr", "dr.", "doctor"] if c.prefix else ["dr", "dr.", "doctor"]
    )
    full = f"{c.given} {c.family}"
    return _unique([f"{t} {c.family}" for t in titles] + [f"{t} {full}" for t in titles] + [full])


def feature_forms(feature: Feature) -> list[str]:
    return _unique(
        [
            feature.code,
            feature.display,
            feature.code.replace("-", " "),
            *FEATURE_EXTRA.get(feature.code, ()),
        ]
    )


def _yaml_str(value: str) -> str:
    plain = value.replace("-", "").replace(".", "").replace("_", "")
    return value if plain.isalnum() and not value[0].isdigit() else f'"{value}"'


def _block(kind: str, name: str, values: list[str]) -> str:
    return "\n".join(
        [f"- {kind}: {_yaml_str(name)}", "  examples: |", *(f"    - {v}" for v in values)]
    )


def render(directory: Directory) -> str:
    """The ``directory.yml`` text: lookups per entity, then synonyms per canonical value."""
    groups: dict[str, dict[str, list[str]]] = {
        "ward": {w.code: ward_forms(w) for w in directory.wards},
        "department": {s.code: service_forms(s) for s in directory.services},
        "clinician": {c.username: clinician_forms(c) for c in directory.clinicians},
        "bed_type": {f.code: feature_forms(f) for f in directory.features},
    }
    blocks = [
        _block("lookup", entity, _unique(f for forms in by_value.values() for f in forms))
        for entity, by_value in groups.items()
        if by_value
    ]
    for by_value in groups.values():
        for value, forms in by_value.items():
            synonyms = [f for f in forms if f != value.lower()]
            if synonyms:
                blocks.append(_block("synonym", value, synonyms))
    return HEADER + 'version: "3.1"\nnlu:\n' + "\n".join(blocks) + "\n"


def write_or_check(text: str, output: Path, check: bool) -> int:
    current = output.read_text() if output.exists() else None
    if check:
        if current != text:
            print(f"{output} is out of date: run scripts/gen_lookups.py", file=sys.stderr)
            return 1
        print(f"{output} is up to date")
        return 0
    output.write_text(text)
    print(f"wrote {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--hms-url", help="HMS FHIR base URL (default: HMS_BASE_URL setting)")
    source.add_argument("--from-seed", action="store_true", help="read the reference HMS seed")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if args.from_seed:
        directory = fetch_from_seed()
    else:
        from assistant.config import get_settings

        settings = get_settings()
        directory = fetch_from_api(args.hms_url or settings.hms_base_url, settings.hms_api_token)
    return write_or_check(render(directory), args.output, args.check)


if __name__ == "__main__":
    sys.exit(main())
