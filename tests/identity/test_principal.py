import json

import pytest

from assistant.identity.principal import PrincipalError, sign_principal, verify_principal

KEY = "test-signing-key"


def test_principal_signed_verifies():
    signed = sign_principal(KEY, "n.jones", "rest", now=1000)
    principal = verify_principal(KEY, signed, now=1001)
    assert (principal.staff, principal.channel) == ("n.jones", "rest")


def test_principal_forged_staff_refused():
    signed = sign_principal(KEY, "p.porter", "rest", now=1000)
    payload = json.loads(signed["payload"])
    payload["staff"] = "a.admin"
    forged = {"payload": json.dumps(payload), "sig": signed["sig"]}
    with pytest.raises(PrincipalError):
        verify_principal(KEY, forged, now=1001)


def test_principal_signed_with_other_key_refused():
    signed = sign_principal("attacker-key", "a.admin", "rest", now=1000)
    with pytest.raises(PrincipalError):
        verify_principal(KEY, signed, now=1001)


def test_principal_expired_refused():
    signed = sign_principal(KEY, "n.jones", "rest", ttl=60, now=1000)
    with pytest.raises(PrincipalError):
        verify_principal(KEY, signed, now=1061)


@pytest.mark.parametrize("value", [None, {}, {"payload": 3}, "x", {"payload": "{}", "sig": 1}])
def test_principal_missing_or_malformed_refused(value):
    with pytest.raises(PrincipalError):
        verify_principal(KEY, value, now=1000)
