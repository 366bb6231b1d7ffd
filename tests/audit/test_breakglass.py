"""Audit writability probe, break-glass grants from the trail, the daily report and summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from assistant.__main__ import main
from assistant.audit import AuditWriteError, InMemoryAuditSink
from assistant.audit.anchor import read_checkpoints
from assistant.audit.breakglass import accesses, active_grant, grant_reason, summary_text
from assistant.audit.trail import SqlAuditTrail
from assistant.store import open_store_at
from tests.fakes.slack_api import FakeSlackApi
from tests.keys import AUDIT_KEYS

DAY = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def bg_event(make_event, staff="dr.patel", patient="Patient/p-2", grant=True, reason="sepsis"):
    return make_event(
        staff=staff,
        role="clinician",
        intent="find_patient",
        action="action_find_patient",
        permission="patients:locate",
        patient_ref=patient,
        reason=grant_reason(reason),
        detail="breakglass=grant minutes=30" if grant else "breakglass=use grant=1",
    )


def test_breakglass_check_passes_on_writable_trail_and_writes_nothing(trail, make_event):
    trail.record(make_event(1))
    trail.check()
    result = trail.verify()
    assert result.ok and result.checked == 1


def test_breakglass_check_fails_on_read_only_store(db_url, make_event):
    writable = open_store_at(db_url)
    SqlAuditTrail(writable, AUDIT_KEYS).record(make_event(1))
    writable.close()
    path = db_url.removeprefix("sqlite:///")
    read_only = open_store_at(f"sqlite:///file:{path}?mode=ro&uri=true", migrate=False)
    try:
        with pytest.raises(AuditWriteError, match="not writable"):
            SqlAuditTrail(read_only, AUDIT_KEYS).check()
    finally:
        read_only.close()


def test_breakglass_in_memory_sink_check_flag():
    sink = InMemoryAuditSink(check_fails=True)
    with pytest.raises(AuditWriteError):
        sink.check()
    InMemoryAuditSink().check()


def test_breakglass_active_grant_window_staff_and_patient(trail, clock, make_event):
    trail.record(bg_event(make_event))
    trail.record(make_event(2))  # not break glass
    rows = trail.events()
    granted_at = rows[0].at.replace(tzinfo=UTC)
    inside, outside = granted_at + timedelta(minutes=29), granted_at + timedelta(minutes=31)
    assert (grant := active_grant(rows, "dr.patel", "Patient/p-2", inside, 30)) is not None
    assert grant.seq == 1
    assert active_grant(rows, "dr.patel", "Patient/p-2", outside, 30) is None
    assert active_grant(rows, "n.jones", "Patient/p-2", inside, 30) is None
    assert active_grant(rows, "dr.patel", "Patient/p-9", inside, 30) is None


def test_breakglass_trail_scrubs_mrn_in_reason(trail, make_event):
    trail.record(bg_event(make_event, reason="pt 10004821 collapsed"))
    [access] = accesses(trail.events())
    assert "10004821" not in access.reason and "collapsed" in access.reason


def test_breakglass_summary_has_counts_and_reasons_but_no_patients(trail, make_event):
    trail.record(bg_event(make_event, reason="sepsis, on call"))
    trail.record(bg_event(make_event, grant=False, reason="sepsis, on call"))
    trail.record(bg_event(make_event, staff="b.taylor", patient="Patient/p-7", reason="arrest"))
    text = summary_text(accesses(trail.events()), date(2026, 3, 1))
    assert "3 emergency accesses by 2 staff" in text
    assert "dr.patel: 2" in text and "b.taylor: 1" in text and "sepsis, on call" in text
    assert "Patient/" not in text and "p-2" not in text and "breakglass-report" in text


@pytest.fixture
def env_trail(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'assistant.db'}"
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    monkeypatch.setenv("HOSPITAL_TZ", "UTC")
    store = open_store_at(url)
    yield SqlAuditTrail(store, AUDIT_KEYS, clock=lambda: DAY)
    store.close()


def test_breakglass_report_lists_the_days_accesses(env_trail, make_event, capsys):
    env_trail.record(bg_event(make_event))
    env_trail.record(make_event(1))
    assert main(["audit", "breakglass-report", "--date", "2026-03-01"]) == 0
    out = capsys.readouterr().out
    assert "accesses on 2026-03-01 (UTC): 1" in out
    assert "dr.patel (clinician, slack)" in out and "Patient/p-2" in out and "sepsis" in out
    assert main(["audit", "breakglass-report", "--date", "2026-03-02"]) == 0
    assert ": 0" in capsys.readouterr().out


@pytest.fixture
def slack_api():
    fake = FakeSlackApi().start()
    yield fake
    fake.stop()


@pytest.mark.parametrize(
    ("compliance", "expected"), [(None, "C0HELPDESK"), ("C0COMPLY", "C0COMPLY")]
)
def test_breakglass_report_post_sends_summary_without_patients(
    env_trail, make_event, slack_api, monkeypatch, compliance, expected
):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack_api.url)
    monkeypatch.setenv("HELPDESK_CHANNEL", "C0HELPDESK")
    if compliance:
        monkeypatch.setenv("COMPLIANCE_CHANNEL", compliance)
    else:
        monkeypatch.delenv("COMPLIANCE_CHANNEL", raising=False)
    env_trail.record(bg_event(make_event, reason="sepsis"))
    assert main(["audit", "breakglass-report", "--date", "2026-03-01", "--post"]) == 0
    [posted] = slack_api.calls_to("chat.postMessage")
    assert posted["channel"] == expected
    assert "dr.patel: 1" in posted["text"] and "sepsis" in posted["text"]
    assert "Patient/" not in posted["text"] and "p-2" not in posted["text"]
    # the daily post carries a signed checkpoint, also appended to the anchor file
    [anchored] = read_checkpoints(env_trail_anchor(monkeypatch))
    assert f"Audit checkpoint: 1 events, head {anchored.head}" in posted["text"]
    assert anchored.signature in posted["text"]


def env_trail_anchor(monkeypatch) -> Path:
    from assistant.config import get_settings

    return get_settings().audit_anchor_file


def test_breakglass_report_post_without_channel_fails_clearly(env_trail, monkeypatch, capsys):
    for name in ("SLACK_BOT_TOKEN", "HELPDESK_CHANNEL", "COMPLIANCE_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["audit", "breakglass-report", "--date", "2026-03-01", "--post"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err
