from __future__ import annotations

import json
import sqlite3

import pytest
from fhir.resources.R4B.auditevent import AuditEvent as FhirAuditEvent

from assistant.__main__ import main
from assistant.audit.trail import SqlAuditTrail
from assistant.store import open_store_at
from tests.keys import AUDIT_KEYS


@pytest.fixture
def env_store(tmp_path, monkeypatch, make_event):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    store = open_store_at(url)
    trail = SqlAuditTrail(store, AUDIT_KEYS)
    for i in range(3):
        trail.record(make_event(i))
    yield url
    store.close()


def test_cli_audit_verify_exits_zero_when_intact(env_store, capsys):
    assert main(["audit", "verify"]) == 0
    assert "3 events verified" in capsys.readouterr().out


def test_cli_audit_verify_names_tampered_event(env_store, capsys):
    conn = sqlite3.connect(env_store.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("UPDATE audit_event SET staff = 'someone.else' WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    assert "event 2 was changed" in capsys.readouterr().out


def test_cli_audit_export_writes_fhir_ndjson(env_store, tmp_path):
    out = tmp_path / "audit.ndjson"
    code = main(
        [
            "audit",
            "export",
            "--since",
            "2000-01-01T00:00:00Z",
            "--until",
            "2100-01-01",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 3
    for line in lines:
        FhirAuditEvent.model_validate(json.loads(line))


def test_cli_audit_export_empty_window_writes_nothing(env_store, capsys):
    assert main(["audit", "export", "--since", "2000-01-01", "--until", "2000-01-02"]) == 0
    assert capsys.readouterr().out == ""
