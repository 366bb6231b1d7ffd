"""Slot hygiene as a property, on the real stack: for every pair of task intents, A then B
in one conversation answers B exactly as B alone does.

Each task intent has one representative request (``REQUESTS``) that a ward nurse may make,
chosen so that no request changes what another one answers (a bed set to the status it
already has, offers made but not booked). B alone is asked once in a fresh conversation;
then, for every A, A is asked and B right after it in one conversation. B's replies - their
kinds and facts (``custom.kind`` / ``custom.data``) - must be the same, apart from the offer
to go back to A (``resume_offer``) and ids the HMS hands out anew each time.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.scenario.scenario_kit import Chat

pytestmark = pytest.mark.stack

USER = "n.jones"  # nurse on 4B: may do most tasks; the others are refused, the same each time
REQUESTS = {
    "check_bed_availability": "any free side rooms on 4B?",
    "update_bed_status": "bed 2 on 4B is occupied",
    "list_ward_patients": "who's in bed 2 on 4B?",
    "find_patient": "where is mrn 10175337",
    "book_appointment": "book Mateo Begum 10789038 into cardiology next week",
    "cancel_appointment": "cancel the appointment for Rhys Kaur 10643380",
    "reschedule_appointment": "move Cian Patel 10875071's appointment to next week",
    "list_appointments": "what appointments does Mateo Begum 10789038 have",
    "list_clinic_appointments": "cardiology list for tomorrow",
    "request_help": "porter to 4B bed 2 to take the patient to x-ray, routine",
    "check_request_status": "status of HR-999999",
    "ask_capabilities": "what can you do?",
}
# facts that differ on every run whatever came before (new ticket numbers)
VOLATILE = {"ticket_id", "id", "appointment_id"}
IGNORED_KINDS = {"resume_offer"}


def facts(replies: tuple[dict[str, Any], ...]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for reply in replies:
        custom = reply.get("custom") or {}
        kind = str(custom.get("kind") or "")
        if kind in IGNORED_KINDS:
            continue
        data = {k: v for k, v in (custom.get("data") or {}).items() if k not in VOLATILE}
        out.append((kind, data))
    return out


@pytest.fixture(scope="module")
def alone(stack: Any) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """B asked on its own in a fresh conversation, per intent. Each is asked once first so
    that whatever it changes (the bed set to the status it then already has) is done."""
    for text in REQUESTS.values():
        Chat(stack, USER).say(text)
    return {intent: facts(Chat(stack, USER).say(text).replies) for intent, text in REQUESTS.items()}


PAIRS = [(a, b) for a in REQUESTS for b in REQUESTS if a != b]


@pytest.mark.parametrize(("first", "then"), PAIRS, ids=[f"{a}-then-{b}" for a, b in PAIRS])
def test_slot_hygiene_b_after_a_answers_as_b_alone(
    stack: Any, alone: dict[str, Any], first: str, then: str
) -> None:
    chat = Chat(stack, USER)
    chat.say(REQUESTS[first])
    turn = chat.say(REQUESTS[then])
    assert facts(turn.replies) == alone[then], chat.transcript()
