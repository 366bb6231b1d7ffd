"""The kiosk has no path around the guard: the bed board needs beds:read and is audited;
reply audio is served only to the session that heard it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from assistant.channels.kiosk.api import COOKIE


def _board_events(kiosk: Any) -> list[Any]:
    return [e for e in kiosk.audit.events() if e.intent == "view_bed_board"]


def test_board_needs_beds_read_and_each_showing_is_audited(kiosk: Any) -> None:
    kiosk.sign_in("n.jones")
    assert kiosk.client.get("/kiosk/api/board").status_code == 200
    kiosk.sign_in("h.lee")  # help desk: no beds:read
    refused = kiosk.client.get("/kiosk/api/board")
    assert refused.status_code == 403 and "beds:read" in refused.json()["message"]
    assert "wards" not in refused.json()
    events = _board_events(kiosk)
    assert [(e.staff, e.outcome, e.permission, e.channel) for e in events] == [
        ("n.jones", "success", "beds:read", "kiosk"),
        ("h.lee", "denied", "beds:read", "kiosk"),
    ]
    assert kiosk.audit.verify().ok


def test_board_during_downtime_uses_last_known_roles_else_refuses(kiosk: Any) -> None:
    kiosk.sign_in("n.jones")
    assert kiosk.client.get("/kiosk/api/board").status_code == 200  # roles read
    kiosk.staff_hms.up = False
    assert kiosk.client.get("/kiosk/api/board").status_code == 200  # last known roles
    kiosk.sign_in("b.okoro")  # never looked up while the HMS was up
    assert kiosk.client.get("/kiosk/api/board").status_code == 403
    assert [e.outcome for e in _board_events(kiosk)] == ["success", "success", "error"]


def test_board_not_shown_when_the_audit_cannot_be_written(kiosk: Any) -> None:
    class Broken:
        def record(self, event: Any) -> None:
            raise RuntimeError("disk full")

    kiosk.audit = Broken()
    kiosk.sign_in("n.jones")
    assert kiosk.client.get("/kiosk/api/board").status_code == 403


def test_reply_audio_is_served_only_to_its_own_session(kiosk: Any) -> None:
    kiosk.sign_in("n.jones")
    body = kiosk.client.post("/kiosk/api/text", json={"text": "free beds on 4B"}).json()
    audio_url = body["audio_url"]
    other = TestClient(kiosk.client.app)
    badge = kiosk.badges["p.kim"]
    other.post("/kiosk/api/session", json={"badge": badge.badge_id, "pin": badge.pin})
    assert other.cookies.get(COOKIE) != kiosk.client.cookies.get(COOKIE)
    assert other.get(audio_url).status_code == 404  # another badge's session
    forged = audio_url.rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAAAAAAAA"
    assert kiosk.client.get(forged).status_code == 404
    served = kiosk.client.get(audio_url)
    assert served.status_code == 200 and served.content[:4] == b"RIFF"
