"""The principal the gateway passes to Rasa (message metadata) and the action server checks.

Rasa's REST endpoint is not trusted on its own: for every message the gateway signs a
short-lived JWT (PyJWT, HS256) with its own key, ``ASSISTANT_PRINCIPAL_KEY`` (not the
staff-token key), audience ``hms-actions``, an expiry of seconds
(``PRINCIPAL_TTL_SECONDS``, default 30) and the Rasa sender id of the conversation it
belongs to. The action server refuses a principal that is missing, forged, expired, for
another audience, or bound to another conversation, so a principal read from one
conversation cannot be replayed into another, nor later into the same one. It holds no
PHI (it is stored in the Rasa tracker): the staff username, channel, sender id, times
and a unique id, and ``prc: true`` for a practice-mode conversation (``assistant.practice``:
the action server then serves it from the training hospital). Roles and wards are looked
up in the HMS by the actions.
"""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass

import jwt

METADATA_KEY = "principal"
AUDIENCE = "hms-actions"
ISSUER = "hms-gateway"
ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 30
LEEWAY_SECONDS = 5
DECODED_KEPT = 1024  # principals whose signature was checked, kept by the action server
NO_KEY = "no principal key configured (ASSISTANT_PRINCIPAL_KEY)"


class PrincipalError(Exception):
    """The principal is missing, malformed, forged, expired or for another conversation."""


@dataclass(frozen=True)
class Principal:
    staff: str  # HMS username, Practitioner identifier system urn:hms:staff
    channel: str  # rest | slack | kiosk | cli
    sender: str  # the Rasa sender id this principal is bound to
    issued_at: int
    expires_at: int
    jti: str
    practice: bool = False  # practice mode: actions use the training hospital (assistant.practice)


def sign_principal(
    key: str,
    staff: str,
    channel: str,
    *,
    sender: str,
    ttl: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
    practice: bool = False,
) -> str:
    """The metadata value to send to Rasa with one message of conversation ``sender``."""
    if not key:
        raise PrincipalError(NO_KEY)
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": staff,
        "chl": channel,
        "sid": sender,
        "aud": AUDIENCE,
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + ttl,
        "jti": uuid.uuid4().hex,
    }
    if practice:
        claims["prc"] = True  # practice mode (assistant/practice): the training hospital
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_principal(
    key: str, value: object, *, sender: str, now: float | None = None
) -> Principal:
    """Check a principal from message metadata for conversation ``sender``."""
    if not key:
        raise PrincipalError(NO_KEY)
    if not isinstance(value, str) or value.count(".") != 2:
        raise PrincipalError("no signed principal on this message")
    principal = _decoded(key, value)
    current = time.time() if now is None else now
    if current > principal.expires_at + LEEWAY_SECONDS:
        raise PrincipalError("principal has expired")
    if principal.issued_at > current + LEEWAY_SECONDS:
        raise PrincipalError("principal was issued in the future")
    if principal.sender != sender:
        raise PrincipalError("principal belongs to another conversation")
    return principal


@functools.lru_cache(maxsize=DECODED_KEPT)
def _decoded(key: str, value: str) -> Principal:
    """The claims of a principal whose signature, audience and issuer hold (the times and
    the conversation are checked on every use). Kept per (key, token): the action server
    checks one message's principal several times (practice marking, each guarded action);
    a refused one is not kept."""
    try:
        claims = jwt.decode(
            value,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={
                "require": ["sub", "chl", "sid", "aud", "iss", "iat", "exp", "jti"],
                "verify_exp": False,  # checked by verify_principal against its clock
                "verify_iat": False,
            },
        )
        return Principal(
            staff=str(claims["sub"]),
            channel=str(claims["chl"]),
            sender=str(claims["sid"]),
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
            jti=str(claims["jti"]),
            practice=claims.get("prc") is True,
        )
    except jwt.PyJWTError as exc:
        raise PrincipalError("principal signature, audience or issuer does not match") from exc
    except (TypeError, ValueError) as exc:
        raise PrincipalError("principal is malformed") from exc
