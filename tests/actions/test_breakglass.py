"""Emergency access ("break glass") when locating a patient outside one's wards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actions import breakglass as bg
from actions.patients import ActionFindPatient
from actions.services import set_services
from assistant.audit.trail import SqlAuditTrail
from assistant.hms.models import Patient
from assistant.identity.principal import sign_principal
from assistant.store import open_store_at
from tests.actions.fakes import KEY, NOW, SENDER, make_services, run, tracker
from tests.keys import AUDIT_KEYS


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def services(tmp_path, clock):
    store = open_store_at(f"sqlite:///{tmp_path / 'assistant.db'}")
    svc = make_services(audit=SqlAuditTrail(store, AUDIT_KEYS, clock=clock))
    svc.clock = clock
    set_services(svc)
    yield svc
    store.close()


def rows(svc):
    return svc.audit.events()


def ask(user="dr.patel", mrn="10009999", at=NOW):
    principal = sign_principal(KEY, user, "rest", sender=SENDER, now=at.timestamp())
    return tracker(user, intent="find_patient", slots={"mrn": mrn}, principal=principal)


def answer(text, user="dr.patel", patient="p-2"):
    """The break-glass form is done: its reason slot holds what the user said."""
    return tracker(
        user,
        intent="inform",
        text=text,
        slots={bg.REASON_SLOT: text, bg.PATIENT_SLOT: patient},
    )


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_breakglass_clinician_out_of_scope_is_offered_access(services):
    messages, events = await run(ActionFindPatient(), ask())
    text = messages[0]["text"]
    assert "not on a ward of yours" in text and "emergency access for 30 minutes" in text
    assert "7C" not in text and "JD" not in text and "9999" not in text
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/deny"]
    assert slots(events)[bg.PATIENT_SLOT] == "p-2"
    # the reason is asked by the break-glass form (free text), opened by this action
    assert {"event": "active_loop", "name": bg.FORM} in [
        {k: e.get(k) for k in ("event", "name")} for e in events if e["event"] == "active_loop"
    ]
    [row] = rows(services)
    assert (row.outcome, row.reason, row.detail) == ("denied", "ward_scope", "breakglass=offered")


async def test_breakglass_reason_grants_access_and_audits_scrubbed_reason(services):
    await run(ActionFindPatient(), ask())
    messages, events = await run(
        ActionFindPatient(),
        answer("break glass: John Doe 10009999 deteriorating, I am covering on call"),
    )
    assert messages[0]["text"].startswith("Emergency access granted for 30 minutes")
    assert messages[1]["text"] == "JD (MRN ending 9999) is on Ward 7C, Bay 1, 7C Bed 2."
    assert slots(events)[bg.PATIENT_SLOT] is None and slots(events)[bg.REASON_SLOT] is None
    grant = rows(services)[-1]
    assert grant.outcome == "success" and grant.patient_ref == "Patient/p-2"
    assert grant.detail == "breakglass=grant minutes=30"
    assert grant.reason.startswith("breakglass: ") and "deteriorating" in grant.reason
    assert "John" not in grant.reason and "Doe" not in grant.reason
    assert "10009999" not in grant.reason and "break glass" not in grant.reason.lower()[12:]
    assert services.audit.verify().ok


async def test_breakglass_grant_covers_later_asks_within_window_only(services, clock):
    await run(ActionFindPatient(), ask())
    await run(ActionFindPatient(), answer("deteriorating, covering on call tonight"))
    clock.now = NOW + timedelta(minutes=29)
    messages, _ = await run(ActionFindPatient(), ask(at=clock.now))
    assert "Ward 7C" in messages[0]["text"]
    use = rows(services)[-1]
    assert use.detail.startswith("breakglass=use grant=") and use.outcome == "success"
    assert use.reason == "breakglass: deteriorating, covering on call tonight"
    clock.now = NOW + timedelta(minutes=31)
    messages, _ = await run(ActionFindPatient(), ask(at=clock.now))
    assert "emergency access" in messages[0]["text"] and "Ward 7C" not in messages[0]["text"]


async def test_breakglass_grant_is_for_that_patient_and_staff_only(services):
    services.hms.patients.append(Patient("p-3", "10007777", "Ann", "Lee"))
    services.hms.stays["p-3"] = services.hms.stays["p-2"].__class__(
        "e-3", "p-3", services.hms.beds[3], "7C"
    )
    await run(ActionFindPatient(), ask())
    await run(ActionFindPatient(), answer("deteriorating, covering on call tonight"))
    other_patient, _ = await run(ActionFindPatient(), ask(mrn="10007777"))
    assert "emergency access" in other_patient[0]["text"]


async def test_breakglass_minutes_from_environment(services, monkeypatch):
    monkeypatch.setenv("BREAKGLASS_MINUTES", "5")
    await run(ActionFindPatient(), ask())
    messages, _ = await run(ActionFindPatient(), answer("deteriorating, covering on call"))
    assert "for 5 minutes" in messages[0]["text"]
    assert rows(services)[-1].detail == "breakglass=grant minutes=5"


@pytest.mark.parametrize(("raw", "minutes"), [("", 30), ("abc", 30), ("0", 30), ("45", 45)])
def test_breakglass_minutes_setting_parsing(raw, minutes, monkeypatch):
    monkeypatch.setenv("BREAKGLASS_MINUTES", raw)
    assert bg.breakglass_minutes() == minutes


@pytest.mark.parametrize("text", ["/affirm", "ok", "no"])
async def test_breakglass_without_a_usable_reason_shows_nothing(services, text):
    messages, events = await run(ActionFindPatient(), answer(text))
    assert messages[0]["text"] == bg.CANCELLED
    assert slots(events)[bg.PATIENT_SLOT] is None
    assert rows(services)[-1].reason == "breakglass_no_reason"
    assert not any(c[0] == "current_stay" for c in services.hms.calls)


async def test_breakglass_nurse_gets_normal_denial(services):
    messages, events = await run(ActionFindPatient(), ask("n.jones"))
    assert "on that ward is only for that ward's staff" in messages[0]["text"]
    assert "emergency" not in messages[0]["text"]
    assert slots(events).get(bg.PATIENT_SLOT) is None
    [row] = rows(services)
    assert row.reason == "ward_scope" and row.detail == "ward=7C"


async def test_breakglass_nurse_cannot_use_a_forged_patient_slot(services):
    messages, _ = await run(ActionFindPatient(), answer("deteriorating", user="n.jones"))
    assert "Emergency access is only for the roles allowed" in messages[0]["text"]
    assert not any(c[0] == "current_stay" for c in services.hms.calls)
    assert rows(services)[-1].outcome == "denied"


def test_breakglass_scrub_reason_removes_names_mrns_and_prefix():
    patient = Patient("p-1", "10004821", "Mary", "Smith")
    text = bg.scrub_reason("Break glass: mary SMITH 10004821 collapsed " + "x" * 300, patient)
    assert "mary" not in text.lower() and "smith" not in text.lower()
    assert "10004821" not in text and text.startswith("[") and len(text) <= bg.MAX_REASON_CHARS


@pytest.mark.parametrize(
    ("said", "taken"),
    [
        ("yes", False),
        ("break glass", False),
        ("go ahead please", False),
        ("it's an emergency", False),
        ("ok carry on", False),
        ("dunno", False),
        ("no reason", False),
        ("continue please", False),
        ("patient deteriorating, on-call review", True),
        ("she's deteriorating and I'm covering the ward tonight", True),
    ],
)
async def test_breakglass_a_yes_is_no_reason_and_the_reason_is_asked_again(said, taken):
    # "yes" / "break glass" to "What is the reason for emergency access?" cancelled the
    # access; they are a wish to go on: the reason is asked again
    from typing import Any, cast

    from actions.slotvalues import CHECKS, CheckContext

    check = await CHECKS["breakglass_reason"](said, cast(CheckContext, cast(Any, None)))
    assert (check.value is not None) is taken
    if not taken:
        assert check.reply is not None and check.reply.kind == "invalid_breakglass_reason"
