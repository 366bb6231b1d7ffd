import base64
import json

import jwt
import pytest

from assistant.identity.principal import (
    DEFAULT_TTL_SECONDS,
    PrincipalError,
    sign_principal,
    verify_principal,
)
from assistant.identity.tokens import issue_token

KEY = "test-principal-key-0123456789abcdefghijk"
SENDER = "rest:n.jones:c1"


def test_principal_signed_verifies_for_its_conversation():
    signed = sign_principal(KEY, "n.jones", "rest", sender=SENDER, now=1000)
    principal = verify_principal(KEY, signed, sender=SENDER, now=1001)
    assert (principal.staff, principal.channel, principal.sender) == ("n.jones", "rest", SENDER)
    assert principal.expires_at - principal.issued_at == DEFAULT_TTL_SECONDS


def test_principal_is_a_short_lived_jwt_for_the_action_server():
    signed = sign_principal(KEY, "n.jones", "rest", sender=SENDER, now=1000)
    claims = jwt.decode(signed, KEY, algorithms=["HS256"], audience="hms-actions",
                        options={"verify_exp": False})  # fmt: skip
    assert claims["sid"] == SENDER and claims["exp"] - claims["iat"] <= 60 and claims["jti"]


def test_principal_from_another_conversation_refused():
    taken = sign_principal(KEY, "n.jones", "rest", sender=SENDER, now=1000)
    with pytest.raises(PrincipalError, match="another conversation"):
        verify_principal(KEY, taken, sender="rest:n.jones:attacker", now=1001)


def test_principal_replayed_after_its_seconds_refused():
    taken = sign_principal(KEY, "n.jones", "rest", sender=SENDER, now=1000)
    with pytest.raises(PrincipalError, match="expired"):
        verify_principal(KEY, taken, sender=SENDER, now=1000 + DEFAULT_TTL_SECONDS + 10)


def test_principal_forged_staff_refused():
    signed = sign_principal(KEY, "p.kim", "rest", sender=SENDER, now=1000)
    head, body, sig = signed.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["sub"] = "a.admin"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(PrincipalError):
        verify_principal(KEY, f"{head}.{forged_body}.{sig}", sender=SENDER, now=1001)


def test_principal_signed_with_other_key_refused():
    signed = sign_principal("attacker-key", "a.admin", "rest", sender=SENDER, now=1000)
    with pytest.raises(PrincipalError):
        verify_principal(KEY, signed, sender=SENDER, now=1001)


def test_staff_token_is_not_a_principal():
    """A REST staff token (other key, other audience) is refused even with the same key."""
    token = issue_token(KEY, "a.admin", now=1000)
    with pytest.raises(PrincipalError):
        verify_principal(KEY, token, sender=SENDER, now=1001)


@pytest.mark.parametrize("value", [None, {}, {"payload": "{}", "sig": "x"}, "x", "a.b.c"])
def test_principal_missing_or_malformed_refused(value):
    with pytest.raises(PrincipalError):
        verify_principal(KEY, value, sender=SENDER, now=1000)


def test_principal_without_key_refused():
    with pytest.raises(PrincipalError, match="ASSISTANT_PRINCIPAL_KEY"):
        sign_principal("", "n.jones", "rest", sender=SENDER)


def test_principal_signature_checked_once_per_token_times_checked_every_use(monkeypatch):
    calls = []
    real = jwt.decode

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    signed = sign_principal(KEY, "n.jones", "rest", sender=SENDER, now=2000)
    for _ in range(3):  # practice marking and each guarded action of one message
        assert verify_principal(KEY, signed, sender=SENDER, now=2001).staff == "n.jones"
    assert len(calls) == 1
    with pytest.raises(PrincipalError, match="expired"):  # a kept one still expires
        verify_principal(KEY, signed, sender=SENDER, now=2000 + DEFAULT_TTL_SECONDS + 10)
    with pytest.raises(PrincipalError, match="another conversation"):
        verify_principal(KEY, signed, sender="rest:n.jones:other", now=2001)
    with pytest.raises(PrincipalError):  # another key: checked again, refused
        verify_principal("another-key-0123456789abcdefghijklmnop", signed, sender=SENDER, now=2001)
    forged = signed[:-2] + ("AA" if not signed.endswith("AA") else "BB")
    for _ in range(2):  # a refused one is not kept: refused every time
        with pytest.raises(PrincipalError):
            verify_principal(KEY, forged, sender=SENDER, now=2001)
    assert len(calls) == 4
