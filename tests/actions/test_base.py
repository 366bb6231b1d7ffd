"""The guarded path: principal, staff, permission, ward scope, audit, HMS failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actions.beds import ActionCheckBedAvailability, ActionUpdateBedStatus
from actions.services import set_services
from assistant.audit import AuditWriteError
from assistant.hms.errors import Unavailable
from assistant.identity.principal import sign_principal
from tests.actions.fakes import (
    KEY,
    NOW,
    SENDER,
    FakeHms,
    InMemoryAuditSink,
    make_services,
    only_resets,
    run,
    tracker,
)


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def bed_update(user="n.jones", ward="4B", **kw):
    return tracker(
        user,
        intent="update_bed_status",
        slots={"ward": ward, "bed": "2", "bed_status": "needs cleaning"},
        **kw,
    )


async def test_base_allowed_path_runs_and_audits_once(services):
    messages, events = await run(ActionUpdateBedStatus(), bed_update())
    assert "4B Bed 2 is now waiting for cleaning" in messages[0]["text"]
    assert messages[0]["custom"] == {
        "phi": False,
        "kind": "update_bed_status_success",
        "data": messages[0]["custom"]["data"],
    }
    [event] = services.audit.events
    assert (event.staff, event.role, event.outcome) == ("n.jones", "nurse", "success")
    assert event.permission == "beds:update" and event.resource == "Location/bed-4b-02"
    assert services.hms.beds[1].status == "H"
    assert {"event": "slot", "name": "bed", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


async def test_base_hms_calls_act_as_the_user(services, monkeypatch):
    seen = []
    original = FakeHms.with_actor

    def spy(self, username):
        seen.append(username)
        return original(self, username)

    monkeypatch.setattr(FakeHms, "with_actor", spy)
    await run(ActionUpdateBedStatus(), bed_update())
    assert seen == ["n.jones"]


@pytest.mark.parametrize("user", ["s.ali", "p.kim", "h.lee", "a.admin", "dr.patel"])
async def test_base_denies_roles_without_permission(services, user):
    messages, _ = await run(ActionUpdateBedStatus(), bed_update(user))
    text = messages[0]["text"]
    assert "needs the nurse, bed manager or housekeeping role" in text
    assert "beds:update" not in text  # the permission is the audit's, not the user's word
    assert "signed in as" in text
    [event] = services.audit.events
    assert event.outcome == "denied" and event.reason == "permission" and event.staff == user
    assert ("set_bed_status", ("bed-4b-02", "H")) not in services.hms.calls


async def test_base_porter_booking_denial_sentence(services):
    from actions.appointments import ActionBookAppointment

    messages, _ = await run(ActionBookAppointment(), tracker("p.kim", intent="book_appointment"))
    assert messages[0]["text"] == (
        "Booking appointments needs the nurse, clinician or scheduler role; "
        "you are signed in as porter."
    )


async def test_base_ward_scope_denial(services):
    messages, _ = await run(ActionUpdateBedStatus(), bed_update(ward="7C"))
    assert "ward 7C" in messages[0]["text"] and "4B" in messages[0]["text"]
    [event] = services.audit.events
    assert event.outcome == "denied" and event.reason == "ward_scope"
    assert not any(c[0] == "set_bed_status" for c in services.hms.calls)


async def test_base_all_wards_role_passes_ward_scope(services):
    messages, _ = await run(ActionUpdateBedStatus(), bed_update("c.sam", ward="7C"))
    assert "is now waiting for cleaning" in messages[0]["text"] or "already" in messages[0]["text"]
    assert services.audit.events[0].outcome == "success"


@pytest.mark.parametrize(
    "principal",
    [
        None,
        {"payload": "{}", "sig": "forged"},
        sign_principal("other-key", "n.jones", "rest", sender=SENDER, now=NOW.timestamp()),
        sign_principal(KEY, "n.jones", "rest", sender=SENDER, now=NOW.timestamp() - 3600),
        sign_principal(KEY, "n.jones", "rest", sender="rest:n.jones:other", now=NOW.timestamp()),
        sign_principal(KEY, "n.jones", "rest", sender=SENDER, now=NOW.timestamp() - 60),
    ],
    ids=[
        "missing",
        "garbage",
        "forged",
        "expired",
        "other-conversation",
        "replayed-a-minute-later",
    ],
)
async def test_base_refuses_unverified_principal(services, principal):
    trk = bed_update(principal=principal)
    messages, events = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["text"].startswith("I can't verify who you are")
    assert only_resets(events) and services.hms.calls == []
    [event] = services.audit.events
    assert event.outcome == "denied" and event.reason == "principal"


@pytest.mark.parametrize("user", ["nobody", "a.nwosu"])
async def test_base_refuses_unknown_or_inactive_staff(services, user):
    messages, _ = await run(ActionCheckBedAvailability(), tracker(user))
    assert "active staff record" in messages[0]["text"]
    assert services.audit.events[0].reason == "unknown_staff"


async def test_base_staff_lookup_is_cached(services):
    await run(ActionCheckBedAvailability(), tracker("p.kim"))
    await run(ActionCheckBedAvailability(), tracker("p.kim"))
    lookups = [c for c in services.hms.calls if c[0] == "find_staff"]
    assert lookups == [("find_staff", ("p.kim",))]


async def test_base_unavailable_hms_gives_clear_answer_and_help_button(services):
    services.hms.fail["bed_summary"] = Unavailable("down")
    messages, _ = await run(ActionCheckBedAvailability(), tracker("p.kim"))
    assert messages[0]["text"].startswith("The hospital system isn't answering right now")
    assert messages[0]["buttons"] == [
        {"title": "Contact the help desk", "payload": "/talk_to_human"}
    ]
    assert services.audit.events[0].outcome == "error"


async def test_base_unexpected_error_is_not_shown(services):
    services.hms.fail["bed_summary"] = RuntimeError("Traceback secret")
    messages, _ = await run(ActionCheckBedAvailability(), tracker("p.kim"))
    assert "Traceback" not in messages[0]["text"] and "went wrong" in messages[0]["text"]


async def test_base_audit_failure_withholds_results():
    svc = make_services(audit=InMemoryAuditSink(error=AuditWriteError))
    set_services(svc)
    trk = tracker("p.kim", slots={"ward": "4B"})
    messages, events = await run(ActionCheckBedAvailability(), trk)
    assert len(messages) == 1 and "audit trail" in messages[0]["text"]
    assert "4B Bed" not in messages[0]["text"] and only_resets(events)


@pytest.mark.parametrize("status", ["free", "needs cleaning"])
async def test_base_housekeeping_does_not_free_an_occupied_bed(services, status):
    # "done bed 1 on 4B" from housekeeping when bed 1 has a patient in it: a slip, never a
    # discharge (the bed showed free while the patient was still in it)
    trk = tracker(
        "c.sam", intent="update_bed_status", slots={"ward": "4B", "bed": "1", "bed_status": status}
    )
    messages, _ = await run(ActionUpdateBedStatus(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_occupied"]
    # said as what was asked: "needs cleaning" is not answered as if it were cleaned
    said = messages[0]["text"]
    assert ("waiting for cleaning" in said) is (status == "free")
    assert services.hms.beds[0].status == "O"
    assert not any(c[0] == "set_bed_status" for c in services.hms.calls)
    assert services.audit.events[0].outcome == "conflict"
    # a nurse of the ward may free it (the patient went home), once she says yes
    slots = {"ward": "4B", "bed": "1", "bed_status": "free"}
    nurse = tracker("n.jones", intent="update_bed_status", slots=slots)
    messages, events = await run(ActionUpdateBedStatus(), nurse)
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_confirm"]
    waits = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    yes = tracker("n.jones", intent="affirm", text="yes", slots={**slots, **waits})
    await run(ActionUpdateBedStatus(), yes)
    assert services.hms.beds[0].status == "U"


async def test_base_principal_is_checked_by_the_machines_clock(services, monkeypatch):
    """A hospital clock set ahead (HOSPITAL_CLOCK_SHIFT, the dialogue tests) moves dates,
    not the freshness of the gateway's signature, which the machine's clock stamped."""
    monkeypatch.setenv("HOSPITAL_CLOCK_SHIFT", str(6 * 24 * 3600))
    services.clock = lambda: NOW + timedelta(days=6)
    messages, _ = await run(ActionCheckBedAvailability(), bed_update())
    assert not messages[0]["text"].startswith("I can't verify who you are")
