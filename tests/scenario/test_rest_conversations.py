"""Whole conversations through the REST channel against the real stack (trained model)."""

import re

import httpx
import pytest

from assistant.identity.principal import sign_principal

pytestmark = pytest.mark.stack


def joined(turn: list[str]) -> str:
    return "\n".join(turn)


def free_beds_on_4b(stack) -> int:
    bundle = stack.fhir_get(
        "Location", partof="Location/ward-4b", **{"operational-status": "U"}
    )
    if isinstance(bundle.get("total"), int):
        return bundle["total"]
    return len(bundle.get("entry") or [])


def test_rest_greet_gets_an_answer(stack):
    [turn] = stack.say("n.jones", "hello")
    assert turn and any(text.strip() for text in turn)


def test_rest_free_beds_on_4b_matches_hms(stack):
    expected = free_beds_on_4b(stack)
    [turn] = stack.say("n.jones", "how many free beds on 4B")
    text = joined(turn)
    assert re.search(rf"\b{expected}\b", text), text
    assert "4B" in text


def test_rest_emergency_answered_with_emergency_number(stack):
    number = stack.env.get("EMERGENCY_NUMBER", "2222")
    [turn] = stack.say("n.jones", "cardiac arrest bay 3")
    assert number in joined(turn)


def test_rest_porter_refused_booking(stack):
    [turn] = stack.say("p.kim", "book a cardiology appointment for MRN 10004821 tomorrow")
    text = joined(turn).lower()
    assert "porter" in text
    assert "booked" not in text or "not" in text


def test_rest_forged_principal_direct_to_rasa_gets_no_hospital_data(stack):
    rasa = stack.urls["rasa"].split(",")[0]
    expected = free_beds_on_4b(stack)
    genuine = joined(stack.say("a.admin", "how many free beds on 4B")[0])
    forged_principal = sign_principal("not-the-signing-key", "a.admin", "rest")
    attempts = [
        {"principal": forged_principal},
        {},  # no principal at all
    ]
    for index, metadata in enumerate(attempts):
        response = httpx.post(
            f"{rasa}/webhooks/rest/webhook",
            json={
                "sender": f"rest:a.admin:forged{index}",
                "message": "how many free beds on 4B",
                "metadata": metadata,
            },
            timeout=60.0,
        )
        response.raise_for_status()
        text = "\n".join(m.get("text", "") for m in response.json())
        assert text != genuine
        assert "4B Bed" not in text
        assert not re.search(rf"\b{expected}\b[^\n]*free|free[^\n]*\b{expected}\b", text), text
