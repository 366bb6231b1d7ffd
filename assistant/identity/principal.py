"""The principal the gateway passes to Rasa (message metadata) and actions verify.

Rasa's REST endpoint is not trusted on its own: the gateway signs the principal with
``ASSISTANT_SIGNING_KEY`` (HMAC-SHA256) and the action server refuses any message whose
principal is missing, forged or expired. The principal holds no PHI (it is stored in the
Rasa tracker): only the staff username, the channel and validity times. Roles and ward
assignments are looked up in the HMS (PractitionerRole) by the actions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass

METADATA_KEY = "principal"
DEFAULT_TTL_SECONDS = 300


class PrincipalError(Exception):
    """The principal is missing, malformed, forged or expired."""


@dataclass(frozen=True)
class Principal:
    staff: str  # HMS username, Practitioner identifier system urn:hms:staff
    channel: str  # rest | slack | kiosk | cli
    issued_at: int
    expires_at: int
    practice: bool = False  # practice mode: actions use the training hospital (assistant.practice)


def _mac(key: str, payload: bytes) -> str:
    digest = hmac.new(key.encode(), payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_principal(
    key: str,
    staff: str,
    channel: str,
    *,
    ttl: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
    practice: bool = False,
) -> dict[str, str]:
    """Return the metadata value to send to Rasa for this staff member."""
    if not key:
        raise PrincipalError("no signing key configured (ASSISTANT_SIGNING_KEY)")
    issued = int(now if now is not None else time.time())
    principal = Principal(
        staff=staff,
        channel=channel,
        issued_at=issued,
        expires_at=issued + ttl,
        practice=practice,
    )
    payload = json.dumps(asdict(principal), sort_keys=True, separators=(",", ":")).encode()
    return {"payload": payload.decode(), "sig": _mac(key, payload)}


def verify_principal(key: str, value: object, *, now: float | None = None) -> Principal:
    """Check a signed principal from message metadata; raise PrincipalError if not valid."""
    if not key:
        raise PrincipalError("no signing key configured (ASSISTANT_SIGNING_KEY)")
    if not isinstance(value, dict) or not isinstance(value.get("payload"), str):
        raise PrincipalError("no signed principal on this message")
    payload = value["payload"].encode()
    sig = value.get("sig")
    if not isinstance(sig, str) or not hmac.compare_digest(_mac(key, payload), sig):
        raise PrincipalError("principal signature does not match")
    try:
        principal = Principal(**json.loads(payload))
    except (TypeError, ValueError) as exc:
        raise PrincipalError("principal is malformed") from exc
    current = now if now is not None else time.time()
    if current > principal.expires_at:
        raise PrincipalError("principal has expired")
    return principal
