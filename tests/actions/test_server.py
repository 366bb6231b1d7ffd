"""The action server app: registered actions, health check, webhook round trip."""

from __future__ import annotations

import pytest
from actions_fakes import make_services, tracker
from sanic import Sanic

from actions.server import build_app, build_executor
from actions.services import set_services

EXPECTED = {
    "action_book_appointment", "action_cancel_appointment", "action_reschedule_appointment",
    "action_list_appointments", "action_check_bed_availability", "action_update_bed_status",
    "action_request_help", "action_check_request_status", "action_find_patient",
    "action_talk_to_human", "action_emergency", "action_ask_capabilities", "action_stop",
    "validate_book_appointment_form", "validate_cancel_appointment_form",
    "validate_reschedule_appointment_form", "validate_update_bed_status_form",
    "validate_request_help_form",
}


@pytest.fixture(scope="module")
def executor():
    return build_executor()


def test_server_registers_every_action(executor):
    assert EXPECTED <= set(executor.actions)
    assert not any(name.startswith("action_") and "guarded" in name for name in executor.actions)


def test_server_healthz_and_webhook(executor):
    Sanic.test_mode = True
    set_services(make_services())
    app = build_app(executor)
    _, resp = app.test_client.get("/healthz")
    assert resp.status == 200 and resp.json["status"] == "ok"
    trk = tracker("p.porter", intent="check_bed_availability")
    body = {"next_action": "action_check_bed_availability", "sender_id": trk.sender_id,
            "tracker": trk.current_state(), "domain": {}, "version": "3.6.21"}
    _, resp = app.test_client.post("/webhook", json=body)
    assert resp.status == 200
    [message] = resp.json["responses"]
    assert message["text"].startswith("3 free beds hospital-wide")
    assert message["custom"]["kind"] == "check_bed_availability_summary"
