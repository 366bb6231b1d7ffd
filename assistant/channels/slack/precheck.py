"""Checks on a Slack HTTP request before bolt sees it (``POST /slack/events``).

Bolt answers 500 for some malformed requests before or inside its signature check (a
non-numeric ``X-Slack-Request-Timestamp``, a body that is not UTF-8, a JSON body that is
not an object). ``precheck`` rejects those first, with a clear JSON ``detail``:

* 413 - body over ``MAX_BODY_BYTES``;
* 400 - body not UTF-8;
* 401 - timestamp missing or not ASCII digits, signature missing, or the signature
  (``slack_sdk.signature.SignatureVerifier``) not valid for this body;
* 400 - a signed body bolt would read as JSON (``application/json`` or starting with ``{``)
  that is not a JSON object, or a form ``payload`` that is not a JSON object.

Only requests that pass reach bolt (which verifies the signature again). Nothing of the
body is logged or echoed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from slack_sdk.signature import Clock, SignatureVerifier

MAX_BODY_BYTES = 1024 * 1024
_TIMESTAMP = re.compile(r"[0-9]{1,15}")


@dataclass(frozen=True)
class Rejection:
    """Why a request is refused before bolt: an HTTP status and a message for the caller."""

    status: int
    detail: str


def precheck(
    body: bytes,
    headers: Mapping[str, str],
    signing_secret: str,
    *,
    clock: Callable[[], float] | None = None,
) -> Rejection | None:
    """``None`` when bolt may handle the request, else the ``Rejection`` to answer."""
    if len(body) > MAX_BODY_BYTES:
        return Rejection(413, f"request body over {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Rejection(400, "the request body must be UTF-8")
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not signature or not signature.isascii():
        return Rejection(401, "missing or malformed Slack request signature")
    verifier = SignatureVerifier(signing_secret, clock=_clock(clock))
    if not verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
        return Rejection(401, "invalid Slack request signature")
    return _shape(text, headers.get("content-type"))


def _shape(text: str, content_type: str | None) -> Rejection | None:
    """Mirror bolt's body parsing (``slack_bolt.request.internals.parse_body``)."""
    if not text:
        return None
    if content_type == "application/json" or text.startswith("{"):
        return (
            None
            if _is_json_object(text)
            else Rejection(400, "the request body must be a JSON object")
        )
    if "payload" in text:
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        if payload is not None and not _is_json_object(payload):
            return Rejection(400, "the form field 'payload' must be a JSON object")
    return None


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _clock(now: Callable[[], float] | None) -> Clock:
    if now is None:
        return Clock()

    injected = now

    class _Injected(Clock):
        def now(self) -> float:
            return injected()

    return _Injected()
