"""``python -m hms import``: reconcile files with the HMS, then (with ``--commit``) write.

Files are taken in dependency order: CSV wards/beds, staff, patients, appointments, then
FHIR bundles in the order given. Dry-run plans every file (later files see what earlier
ones would create) and writes nothing. Commit writes each file's plan in one transaction:
all of that file's valid rows, or, if anything fails, none of them. With ``strict`` a file
with any rejected row is not committed at all. A second run creates nothing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hms.config import HmsOptions
from hms.importer import csvfiles
from hms.importer.bundles import BundleReader
from hms.importer.index import Index
from hms.importer.plan import Planner
from hms.importer.records import FileReport, Item, Rejection, RowError
from hms.importer.write import apply
from hms.timeutil import utcnow

CSV_ORDER = {"beds": 0, "staff": 1, "patients": 2, "appointments": 3}


@dataclass(frozen=True)
class Parsed:
    kind: str
    items: list[Item]
    rejected: list[Rejection]
    skipped: dict[str, int]
    read: int


def _parse(path: Path, options: HmsOptions, tz: ZoneInfo, today: date, kind: str | None) -> Parsed:
    if path.suffix.lower() == ".json":
        rows = BundleReader(options.systems, tz, today).read(path)
        return Parsed("fhir-bundle", rows.items, rows.rejected, rows.skipped, rows.read)
    found = csvfiles.parse(path, tz, today, kind)
    return Parsed(found.kind.name, found.items, found.rejected, {}, found.read)


def _order(path: Path, kind: str | None) -> int:
    if path.suffix.lower() == ".json":
        return 9
    try:
        header = next(csv.reader(io.StringIO(csvfiles.read_text(path))), [])
    except OSError:
        return 8
    found = csvfiles.KIND_BY_NAME.get(kind or "") or csvfiles.detect(header)
    return CSV_ORDER.get(found.name, 8) if found else 8


def run_import(
    engine: Engine,
    paths: list[Path],
    options: HmsOptions,
    tz: ZoneInfo,
    *,
    commit: bool,
    strict: bool = False,
    kind: str | None = None,
    now: datetime | None = None,
) -> list[FileReport]:
    now = now or utcnow()
    today = now.date()
    with Session(engine) as session:
        planner = Planner(Index.load(session, now), options, now)
    reports = []
    for path in sorted(paths, key=lambda p: _order(p, kind)):
        report = FileReport(file=path.name, kind="?", mode="commit" if commit else "dry-run")
        reports.append(report)
        try:
            parsed = _parse(path, options, tz, today, kind)
        except (RowError, OSError) as exc:
            report.error = f"cannot read the file: {exc}"
            continue
        report.kind, report.read = parsed.kind, parsed.read
        report.rejected += parsed.rejected
        report.skipped.update(parsed.skipped)
        plan = planner.plan(parsed.items, report)
        report.rejected.sort(
            key=lambda x: int("".join(c for c in x.where.split("(")[0] if c.isdigit()) or 0)
        )
        if not commit:
            continue
        if strict and report.rejected:
            report.error = f"not committed: {len(report.rejected)} rejected row(s) and --strict"
            with Session(engine) as session:  # forget what this file planned
                planner = Planner(Index.load(session, now), options, now)
            continue
        try:
            with Session(engine) as session, session.begin():
                apply(session, plan, now)
            report.committed = True
        except Exception as exc:  # the whole file is rolled back
            report.error = (
                f"commit failed, nothing from this file was written ({type(exc).__name__})"
            )
            with Session(engine) as session:
                planner = Planner(Index.load(session, now), options, now)
    return reports


def write_report(reports: list[FileReport], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body: dict[str, Any] = {"files": [r.as_json() for r in reports]}
    path.write_text(json.dumps(body, indent=2, default=str), encoding="utf-8")
    path.chmod(0o600)  # the reconciliation names MRNs
    return path


def summary(reports: list[FileReport]) -> str:
    """Counts and reasons by row number (no names or MRNs: it goes to the console)."""
    lines = []
    for rep in reports:
        head = f"{rep.file} [{rep.kind}, {rep.mode}]"
        if rep.error and not rep.read:
            lines.append(f"{head}: {rep.error}")
            continue
        verb = "would create" if rep.mode == "dry-run" else "created"
        change = "would update" if rep.mode == "dry-run" else "updated"
        lines.append(
            f"{head}: read {rep.read}, valid {rep.valid}, rejected {len(rep.rejected)}, "
            f"{verb} {_counts(rep.create)}, {change} {_counts(rep.update)}, "
            f"unchanged {_counts(rep.unchanged)}, skipped {_counts(rep.skipped)}"
        )
        lines += [f"    {x.where}: {x.reason}" for x in rep.rejected[:20]]
        if len(rep.rejected) > 20:
            lines.append(f"    ... and {len(rep.rejected) - 20} more (see the report file)")
        if rep.error:
            lines.append(f"    {rep.error}")
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "0"
