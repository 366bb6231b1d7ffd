"""Benchmark the pilot import: 10,000 patient rows (CSV) and a 100-patient FHIR bundle.

On a temp seeded SQLite HMS: writes a legacy-style ``patients.csv`` with N rows and a
Synthea-shaped transaction bundle (per patient: Patient with a type-MR UUID MRN, 3
Encounters, 3 Claims, 2 Observations), then times ``run_import`` dry-run, commit, and a
second (idempotent) commit of each. Run: ``.venv/bin/python bench/import_bench.py
[--rows 10000] [--patients 100]``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hms.config import HmsOptions  # noqa: E402
from hms.db import make_engine  # noqa: E402
from hms.importer.run import run_import  # noqa: E402
from hms.migrate import upgrade  # noqa: E402
from hms.seed import seed  # noqa: E402
from hms.seed_data import FAMILY, GIVEN_F, GIVEN_M  # noqa: E402

TZ = ZoneInfo("Europe/London")


def write_csv(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Hospital Number", "Surname", "Forename", "DOB", "Sex"])
        for i in range(rows):
            sex = rng.choice("MF")
            given = rng.choice(GIVEN_M if sex == "M" else GIVEN_F)
            dob = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1930, 2020)}"
            writer.writerow([f"{70000000 + i}", rng.choice(FAMILY), given, dob, sex])


def entry(resource: dict) -> dict:
    return {
        "fullUrl": f"urn:uuid:{resource['id']}",
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


def write_bundle(path: Path, patients: int, rng: random.Random) -> None:
    entries = []
    for _ in range(patients):
        pid = str(uuid.UUID(int=rng.getrandbits(128)))
        entries.append(
            entry(
                {
                    "resourceType": "Patient",
                    "id": pid,
                    "identifier": [
                        {"system": "https://github.com/synthetichealth/synthea", "value": pid},
                        {
                            "type": {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                        "code": "MR",
                                    }
                                ]
                            },
                            "system": "http://hospital.smarthealthit.org",
                            "value": pid,
                        },
                    ],
                    "name": [
                        {
                            "use": "official",
                            "family": rng.choice(FAMILY),
                            "given": [rng.choice(GIVEN_F)],
                        }
                    ],
                    "gender": "female",
                    "birthDate": f"{rng.randint(1930, 2020)}-0{rng.randint(1, 9)}-15",
                }
            )
        )
        for _ in range(3):
            eid = str(uuid.UUID(int=rng.getrandbits(128)))
            entries.append(
                entry(
                    {
                        "resourceType": "Encounter",
                        "id": eid,
                        "status": "finished",
                        "class": {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                            "code": "AMB",
                        },
                        "subject": {"reference": f"urn:uuid:{pid}"},
                        "period": {
                            "start": "2019-05-02T09:14:05-04:00",
                            "end": "2019-05-02T09:29:05-04:00",
                        },
                    }
                )
            )
            entries.append(
                entry(
                    {
                        "resourceType": "Claim",
                        "id": str(uuid.UUID(int=rng.getrandbits(128))),
                        "status": "active",
                        "use": "claim",
                        "patient": {"reference": f"urn:uuid:{pid}"},
                        "created": "2019-05-02T09:29:05-04:00",
                    }
                )
            )
        for _ in range(2):
            entries.append(
                entry(
                    {
                        "resourceType": "Observation",
                        "id": str(uuid.UUID(int=rng.getrandbits(128))),
                        "status": "final",
                        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                        "subject": {"reference": f"urn:uuid:{pid}"},
                    }
                )
            )
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": entries}))


def timed(engine: object, path: Path, options: HmsOptions, commit: bool) -> tuple[float, object]:
    started = time.perf_counter()
    (report,) = run_import(engine, [path], options, TZ, commit=commit)  # type: ignore[arg-type]
    return time.perf_counter() - started, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--patients", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(12)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        engine = make_engine(f"sqlite:///{tmp}/hms.db")
        upgrade(engine)
        seed(engine)
        rows_csv, bundle = Path(tmp) / "patients.csv", Path(tmp) / "synthea.json"
        write_csv(rows_csv, args.rows, rng)
        write_bundle(bundle, args.patients, rng)
        for label, path, options in (
            (f"{args.rows} patient rows (CSV)", rows_csv, HmsOptions()),
            (
                f"{args.patients}-patient FHIR bundle",
                bundle,
                HmsOptions(mrn_pattern="[0-9a-f-]{36}"),
            ),
        ):
            dry, report = timed(engine, path, options, commit=False)
            first, done = timed(engine, path, options, commit=True)
            again, repeat = timed(engine, path, options, commit=True)
            skipped = getattr(report, "skipped", {})
            print(
                f"{label}: read {report.read}, valid {report.valid}, "  # type: ignore[attr-defined]
                f"skipped {sum(skipped.values())} {dict(sorted(skipped.items()))}, "
                f"create {done.create}; dry-run {dry:.2f}s, commit {first:.2f}s, "  # type: ignore[attr-defined]
                f"second commit {again:.2f}s (creates {repeat.create or 'nothing'})"  # type: ignore[attr-defined]
            )
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
