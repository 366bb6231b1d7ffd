"""PHI leak scan: after PHI-touching conversations with demo patients, no clear-text name or
MRN may be left in any process log, the Rasa tracker store or the assistant store.

Encrypted fields are Fernet tokens (base64), so a plain search of raw bytes (the database
files with their WAL/journal, which also catches freed pages) and of every text value read
through SQLite (which catches values split across overflow pages) finds only clear text.
Failure messages name the file and place but never print the patient's name or MRN.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.scenario.scenario_kit import Chat, Hms, PatientInfo, slot_choices

pytestmark = pytest.mark.stack

# the HMS databases hold the patients by design (hms-practice.db: the practice-mode training
# hospital, made-up patients drawn from the same name lists)
HMS_FILES = ("hms.db", "hms-practice.db")


@dataclass(frozen=True)
class Needle:
    label: str  # "patient 2 MRN" - what a failure message may show
    pattern: re.Pattern[bytes]


def needles(patients: list[PatientInfo]) -> list[Needle]:
    out = []
    for n, patient in enumerate(patients, 1):
        name = re.escape(patient.full_name.encode())
        out.append(Needle(f"patient {n} name", re.compile(name, re.IGNORECASE)))
        out.append(
            Needle(f"patient {n} MRN", re.compile(rb"(?<!\d)" + patient.mrn.encode() + rb"(?!\d)"))
        )
    return out


def scan_bytes(where: str, data: bytes, wanted: list[Needle]) -> list[str]:
    hits = []
    for needle in wanted:
        for match in needle.pattern.finditer(data):
            context = data[max(0, match.start() - 60) : match.end() + 30]
            for other in wanted:  # never show any patient's name or MRN
                context = other.pattern.sub(b"<" + other.label.encode() + b">", context)
            shown = "".join(
                ch if ch.isprintable() else "." for ch in context.decode("utf-8", "replace")
            )
            hits.append(f"{where} @{match.start()}: {needle.label} in ...{shown}...")
            break  # one hit per needle and place is enough
    return hits


def sqlite_files(db: Path) -> Iterator[Path]:
    for suffix in ("", "-wal", "-journal"):
        path = db.with_name(db.name + suffix)
        if path.exists():
            yield path


def scan_sqlite(db: Path, wanted: list[Needle]) -> list[str]:
    hits = []
    for path in sqlite_files(db):
        hits += scan_bytes(f"{path.name} (raw bytes)", path.read_bytes(), wanted)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            cursor = con.execute(f'select * from "{table}"')
            columns = [c[0] for c in cursor.description]
            for row_no, row in enumerate(cursor):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str):
                        value = value.encode()
                    if isinstance(value, bytes):
                        hits += scan_bytes(
                            f"{db.name} {table}.{column} row {row_no}", value, wanted
                        )
    finally:
        con.close()
    return hits


def sqlite_path(url: str) -> Path | None:
    return Path(url.split(":///", 1)[1]) if url.startswith("sqlite:///") else None


def tracker_db(stack) -> Path:
    endpoints = yaml.safe_load((stack.var_dir / "endpoints.yml").read_text())
    store = endpoints["tracker_store"]  # the database is named in Rasa's environment
    path = sqlite_path(stack.env[store["url_env"]])
    assert path is not None, f"scan supports the SQLite tracker store: {store}"
    return path


def assistant_db(stack) -> Path:
    url = stack.env.get("ASSISTANT_DATABASE_URL") or f"sqlite:///{stack.var_dir / 'assistant.db'}"
    path = sqlite_path(url)
    assert path is not None, "scan supports the SQLite assistant store"
    return path


# -- the conversations --------------------------------------------------------------------


def book(stack, hms: Hms, patient: PatientInfo) -> None:
    chat = Chat(stack, "n.jones")
    chat.say(f"book {patient.full_name} into cardiology")
    turn = chat.fill(
        {
            "patient_name": patient.full_name,
            "mrn": patient.mrn,
            "department": "cardiology",
            "time": "next wednesday",
        },
        lambda t: bool(slot_choices(t)),
    )
    chat.say(turn.payload(slot_choices(turn)[0]))
    assert chat.say("yes").text.startswith("Booked:"), chat.transcript()


@pytest.fixture(scope="module")
def phi_run(stack) -> list[PatientInfo]:
    """Run the PHI-touching conversations; return the demo patients they used."""
    hms = Hms(stack)
    by_mrn, _ = hms.admitted("4B", skip=2)
    by_name, _ = hms.admitted("7", skip=2)
    handoff, _ = hms.admitted("4B", skip=3)
    booked = hms.outpatient(skip=20)
    in_form = hms.outpatient(skip=21)

    chat = Chat(stack, "n.jones")
    assert "is on Ward 4B" in chat.say(f"where is pt mrn {by_mrn.mrn}").text, chat.transcript()
    chat = Chat(stack, "b.okoro")
    turn = chat.say(f"where is patient {by_name.full_name}")
    assert "is on Ward 7" in turn.text, chat.transcript()
    book(stack, hms, booked)
    # talk to a human after mentioning a patient (the ticket carries the transcript)
    chat = Chat(stack, "n.jones")
    chat.say(f"find patient {handoff.full_name} mrn {handoff.mrn}")
    assert "your ticket is" in chat.say("can i speak to someone at the help desk").text
    # ... and from inside a booking form, after giving the name and MRN
    chat = Chat(stack, "s.ali")
    chat.say("book an ENT appointment")
    chat.fill(
        {"patient_name": in_form.full_name, "mrn": in_form.mrn},
        lambda t: t.asks() in ("time", "department"),
    )
    assert "your ticket is" in chat.say("get me a human please").text, chat.transcript()
    return [by_mrn, by_name, handoff, booked, in_form]


# -- the scans ----------------------------------------------------------------------------


def test_phi_leak_scan_process_logs_clean(stack, phi_run):
    wanted = needles(phi_run)
    logs = sorted(p for p in (stack.var_dir / "log").rglob("*") if p.is_file())
    assert any(p.name.startswith("rasa") for p in logs) and any(
        p.name.startswith("actions") for p in logs
    ), f"expected process logs, got {logs}"
    hits = [h for p in logs for h in scan_bytes(f"log/{p.name}", p.read_bytes(), wanted)]
    assert not hits, "PHI in process logs:\n" + "\n".join(hits)


def test_phi_leak_scan_rasa_tracker_store_clean(stack, phi_run):
    db = tracker_db(stack)
    assert db.exists() and db.stat().st_size > 0
    hits = scan_sqlite(db, needles(phi_run))
    assert not hits, "PHI in the Rasa tracker store:\n" + "\n".join(hits)


def test_phi_leak_scan_tracker_store_is_encrypted(stack, phi_run):
    """Proof the scan looks at real data: user events exist, bodies are Fernet tokens."""
    con = sqlite3.connect(f"file:{tracker_db(stack)}?mode=ro", uri=True)
    try:
        rows = con.execute("select data from events where type_name = 'user'").fetchall()
    finally:
        con.close()
    assert len(rows) >= 10
    assert all(str(data).startswith("enc:gAAAA") for (data,) in rows)


def test_phi_leak_scan_assistant_store_clean(stack, phi_run):
    db = assistant_db(stack)
    assert db.exists()
    hits = scan_sqlite(db, needles(phi_run))
    assert not hits, "PHI in the assistant store:\n" + "\n".join(hits)


def test_phi_leak_scan_no_other_var_file(stack, phi_run):
    """Nothing else the stack writes under its var dir (but the HMS database) holds PHI."""
    wanted = needles(phi_run)
    skip = {tracker_db(stack).resolve(), assistant_db(stack).resolve()}
    hits = []
    for path in sorted(stack.var_dir.rglob("*")):
        if not path.is_file() or "log" in path.relative_to(stack.var_dir).parts[:1]:
            continue
        base = path.name.removesuffix("-wal").removesuffix("-shm").removesuffix("-journal")
        if base in HMS_FILES or path.with_name(base).resolve() in skip:
            continue
        hits += scan_bytes(str(path.relative_to(stack.var_dir)), path.read_bytes(), wanted)
    assert not hits, "PHI in other files under var:\n" + "\n".join(hits)
