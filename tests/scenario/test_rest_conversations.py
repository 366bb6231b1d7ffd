"""Whole conversations through the REST channel against the real stack (trained model)."""

import re

import httpx
import pytest

from assistant.identity.principal import sign_principal

pytestmark = pytest.mark.stack


def joined(turn: list[str]) -> str:
    return "\n".join(turn)


def free_beds_on_4b(stack) -> int:
    bundle = stack.fhir_get("Location", partof="Location/ward-4b", **{"operational-status": "U"})
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


def a_patient(stack) -> tuple[str, str, str]:
    """(id, full name, MRN) of some patient in the HMS."""
    bundle = stack.fhir_get("Patient", _count=1)
    patient = bundle["entry"][0]["resource"]
    name = patient["name"][0]
    full = " ".join([*name.get("given", []), name.get("family", "")]).strip()
    mrn = next(i["value"] for i in patient["identifier"] if i["system"] == "urn:hms:mrn")
    return patient["id"], full, mrn


def booked_count(stack, patient_id: str) -> int:
    bundle = stack.fhir_get("Appointment", patient=f"Patient/{patient_id}", status="booked")
    return len(bundle.get("entry") or [])


def answer(question: str, name: str, mrn: str) -> str:
    """What a staff member would say to the booking form's next question."""
    q = question.lower()
    if "name" in q:
        return name
    if "mrn" in q or "record number" in q:
        return mrn
    if any(word in q for word in ("clinic", "department", "service", "specialty")):
        return "cardiology"
    if any(word in q for word in ("when", "time", "date", "day")):
        return "tomorrow at 10am"
    return "yes"


def test_rest_porter_refused_booking(stack):
    patient_id, name, mrn = a_patient(stack)
    before = booked_count(stack, patient_id)
    token, conversation = stack.token("p.kim"), None
    text = f"book a cardiology appointment for MRN {mrn} tomorrow"
    said = []
    for _ in range(6):  # the form may collect details before the permission check
        data = stack.post_message(token, text, conversation)
        conversation = data["conversation_id"]
        reply = joined([r.get("text", "") for r in data["replies"]])
        said.append(reply)
        if "porter" in reply.lower():
            break
        text = answer(reply, name, mrn)
    assert "porter" in said[-1].lower(), said
    assert booked_count(stack, patient_id) == before


def test_rest_forged_principal_direct_to_rasa_gets_no_hospital_data(stack):
    rasa = stack.urls["rasa"].split(",")[0]
    expected = free_beds_on_4b(stack)
    genuine = joined(stack.say("a.admin", "how many free beds on 4B")[0])
    forged_principal = sign_principal(
        "not-the-signing-key", "a.admin", "rest", sender="rest:a.admin:forged0"
    )
    attempts = [
        {"principal": forged_principal},
        {},  # no principal at all
    ]
    for index, metadata in enumerate(attempts):
        # even a caller holding the gateway's channel credential (a stolen token) gets
        # nothing without a principal signed with the gateway's key
        response = httpx.post(
            f"{rasa}/webhooks/gateway/webhook",
            json={
                "sender": f"rest:a.admin:forged{index}",
                "message": "how many free beds on 4B",
                "metadata": metadata,
            },
            headers={"Authorization": f"Bearer {stack.env['RASA_WEBHOOK_TOKEN']}"},
            timeout=60.0,
        )
        response.raise_for_status()
        text = "\n".join(m.get("text", "") for m in response.json())
        assert text != genuine
        assert "4B Bed" not in text
        assert not re.search(rf"\b{expected}\b[^\n]*free|free[^\n]*\b{expected}\b", text), text
