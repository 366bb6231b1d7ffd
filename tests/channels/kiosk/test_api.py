import io
import wave
from typing import Any

from assistant.conversation import Reply


def _wav(seconds: float, rate: int = 16000, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate) * channels)
    return buf.getvalue()


def _post_audio(kiosk: Any, body: bytes, ctype: str = "audio/wav") -> Any:
    return kiosk.client.post("/kiosk/api/utterance", content=body, headers={"Content-Type": ctype})


def test_api_page_is_served_without_external_assets(kiosk: Any) -> None:
    page = kiosk.client.get("/kiosk/")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert kiosk.client.get("/kiosk/static/kiosk.js").status_code == 200
    assert kiosk.client.get("/kiosk/static/..%2Fapi.py").status_code == 404


def test_api_sign_in_sets_strict_httponly_cookie(kiosk: Any) -> None:
    response = kiosk.sign_in()
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert response.json()["staff"] == "n.jones"


def test_api_utterance_without_session_is_401(kiosk: Any, wav: Any) -> None:
    assert _post_audio(kiosk, wav("piper_porter_bed_six")).status_code == 401
    assert kiosk.assistant.calls == []


def test_api_utterance_is_transcribed_normalised_and_answered(kiosk: Any, wav: Any) -> None:
    kiosk.sign_in()
    response = _post_audio(kiosk, wav("piper_porter_bed_six"))
    body = response.json()
    assert response.status_code == 200
    assert body["transcript"] == "i need a porter for bed 6"
    assert body["replies"][0]["text"] == "You asked: i need a porter for bed 6"
    assert body["replies"][0]["buttons"] == [{"title": "Yes", "payload": "/affirm"}]
    assert kiosk.assistant.calls[0]["channel"] == "kiosk"
    audio = kiosk.client.get(body["audio_url"])
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert kiosk.client.get(body["audio_url"]).status_code == 404  # served once


def test_api_rejects_silent_audio_without_calling_the_assistant(kiosk: Any, wav: Any) -> None:
    kiosk.sign_in()
    response = _post_audio(kiosk, wav("silence"))
    assert response.status_code == 422
    assert "didn't catch that" in response.json()["message"]
    assert kiosk.assistant.calls == []


def test_api_rejects_too_long_audio(kiosk: Any) -> None:
    kiosk.sign_in()
    response = _post_audio(kiosk, _wav(16))
    assert response.status_code == 413
    assert kiosk.assistant.calls == []


def test_api_rejects_malformed_audio(kiosk: Any) -> None:
    kiosk.sign_in()
    assert _post_audio(kiosk, b"RIFF nonsense").status_code == 400
    assert _post_audio(kiosk, _wav(1, rate=44100)).status_code == 400
    assert _post_audio(kiosk, _wav(1), ctype="application/json").status_code == 415
    assert kiosk.assistant.calls == []


def test_api_typed_text_reaches_the_assistant(kiosk: Any) -> None:
    kiosk.sign_in()
    response = kiosk.client.post("/kiosk/api/text", json={"text": "/talk_to_human"})
    assert response.status_code == 200
    assert kiosk.assistant.calls[0]["text"] == "/talk_to_human"


def test_api_sign_out_by_voice_ends_the_session(kiosk: Any, wav: Any) -> None:
    kiosk.sign_in()
    body = _post_audio(kiosk, wav("piper_sign_out")).json()
    assert body["signed_out"] is True
    assert kiosk.assistant.calls == []
    assert kiosk.client.post("/kiosk/api/text", json={"text": "hi"}).status_code == 401


def test_api_delete_session_signs_out(kiosk: Any) -> None:
    kiosk.sign_in()
    assert kiosk.client.delete("/kiosk/api/session").status_code == 200
    assert kiosk.client.get("/kiosk/api/session").status_code == 401


def test_api_next_person_gets_a_new_conversation(kiosk: Any) -> None:
    kiosk.sign_in("n.jones")
    kiosk.client.post("/kiosk/api/text", json={"text": "hello"})
    kiosk.client.delete("/kiosk/api/session")
    kiosk.sign_in("n.jones")
    kiosk.client.post("/kiosk/api/text", json={"text": "hello"})
    first, second = kiosk.assistant.calls
    assert first["conversation"] != second["conversation"]


def test_api_idle_session_is_signed_out(kiosk: Any) -> None:
    kiosk.sign_in()
    kiosk.clock.now += 59
    assert kiosk.client.post("/kiosk/api/text", json={"text": "hi"}).status_code == 200
    kiosk.clock.now += 61
    assert kiosk.client.post("/kiosk/api/text", json={"text": "hi"}).status_code == 401


def test_api_locks_a_badge_after_five_wrong_pins(kiosk: Any) -> None:
    badge = kiosk.badges["dr.patel"]
    wrong = "0000" if badge.pin != "0000" else "1111"
    codes = [
        kiosk.client.post(
            "/kiosk/api/session", json={"badge": badge.badge_id, "pin": wrong}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401, 401, 401, 401, 429]
    right = {"badge": badge.badge_id, "pin": badge.pin}
    assert kiosk.client.post("/kiosk/api/session", json=right).status_code == 429
    kiosk.clock.now += 31
    assert kiosk.client.post("/kiosk/api/session", json=right).status_code == 200


def test_api_phi_reply_shows_only_minimum_necessary(kiosk: Any) -> None:
    kiosk.assistant.replies = [
        Reply(
            "Jane Doe (MRN 10004821) is in 4B Bay 1 bed 6.",
            custom={
                "phi": True,
                "kind": "find_patient_found",
                "data": {
                    "ward": "4B",
                    "room": "Bay 1",
                    "bed": "6",
                    "initials": "JD",
                    "mrn_last4": "4821",
                },
            },
        )
    ]
    kiosk.sign_in()
    body = kiosk.client.post("/kiosk/api/text", json={"text": "where is jane doe"}).json()
    text = body["replies"][0]["text"]
    assert "Jane" not in text and "10004821" not in text
    assert "JD" in text and "4821" in text and "Bay 1" in text and "bed 6" in text
