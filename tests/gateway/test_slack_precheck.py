"""``assistant.channels.slack.precheck``: what is refused before bolt sees a request."""

import json
import time
from urllib.parse import quote

import pytest
from slack_sdk.signature import SignatureVerifier

from assistant.channels.slack.precheck import MAX_BODY_BYTES, Rejection, precheck

SECRET = "precheck-signing-secret"


def signed(
    body: bytes, content_type: str = "application/json", ts: str | None = None
) -> dict[str, str]:
    ts = ts or str(int(time.time()))
    sig = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body.decode())
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": sig or "",
    }


def test_precheck_signed_event_passes():
    body = json.dumps({"type": "event_callback", "event": {"type": "message"}}).encode()
    assert precheck(body, signed(body), SECRET) is None


def test_precheck_signed_form_command_and_payload_pass():
    command = b"command=%2Fhms&text=beds&user_id=U1"
    payload = b"payload=" + quote(json.dumps({"type": "block_actions"})).encode()
    for body in (command, payload, b""):
        headers = signed(body, "application/x-www-form-urlencoded")
        assert precheck(body, headers, SECRET) is None


@pytest.mark.parametrize("timestamp", ["", "abc", "1e10", "\u00b2", "-5", " 1", "1" * 16])
def test_precheck_malformed_timestamp_401(timestamp):
    headers = {
        "content-type": "application/json",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": "v0=" + "0" * 64,
    }
    assert precheck(b"{}", headers, SECRET) == Rejection(
        401, "missing or malformed Slack request signature"
    )


@pytest.mark.parametrize("signature", ["", "v0=\u00ff", "v0=" + "0" * 64])
def test_precheck_missing_or_wrong_signature_401(signature):
    headers = signed(b"{}") | {"x-slack-signature": signature}
    rejection = precheck(b"{}", headers, SECRET)
    assert rejection is not None and rejection.status == 401


def test_precheck_old_signature_401():
    ts = str(int(time.time()) - 600)
    rejection = precheck(b"{}", signed(b"{}", ts=ts), SECRET)
    assert rejection is not None and rejection.status == 401


def test_precheck_injected_clock_decides_freshness():
    ts = "1000"
    headers = signed(b"{}", ts=ts)
    assert precheck(b"{}", headers, SECRET, clock=lambda: 1000.0) is None
    assert precheck(b"{}", headers, SECRET, clock=lambda: 2000.0) is not None


@pytest.mark.parametrize("body", [b"\x80", b"text=\xff\xfe"])
def test_precheck_non_utf8_body_400(body):
    rejection = precheck(body, {"x-slack-request-timestamp": "0"}, SECRET)
    assert rejection == Rejection(400, "the request body must be UTF-8")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"null", "application/json"),
        (b"[]", "application/json"),
        (b"not json", "application/json"),
        (b"{not json", "text/plain"),
        (b"[" * 10_000, "application/json"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b"payload=nope", "application/x-www-form-urlencoded"),
    ],
)
def test_precheck_signed_but_malformed_body_400(body, content_type):
    rejection = precheck(body, signed(body, content_type), SECRET)
    assert rejection is not None and rejection.status == 400


def test_precheck_oversized_body_413():
    body = b"{" + b" " * MAX_BODY_BYTES + b"}"
    rejection = precheck(body, signed(b"{}"), SECRET)
    assert rejection is not None and rejection.status == 413
