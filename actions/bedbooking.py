"""'book it for the patient in ED' right after free beds were listed: beds are not booked
here, said plainly.

NLU reads "book it" / "reserve bed 3 for him" as booking an outpatient appointment, so
the user was asked the patient's name, then a clinic. A bed is allocated in the HMS by
the bed manager or the ward (admission); the assistant finds free beds, changes a bed's
status and watches for a bed. This says so and offers those.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.claimhint import last_answer_kinds
from actions.state import Turn

_RESERVE = re.compile(r"\b(?:book|reserve|hold|save|keep|allocate|assign)\b", re.I)
_A_BED = re.compile(r"\b(?:beds?|side\s*rooms?)\b", re.I)
_IT = re.compile(r"\b(?:it|that(?:\s+one)?|one|them)\b", re.I)
BED_ANSWERS = ("check_bed_availability_success",)
APPOINTMENT_DETAILS = ("department", "clinician", "time")


def books_a_bed(tracker: Tracker, turn: Turn) -> bool:
    """A booking NLU read that asks for a bed: a bed named, or "it"/"one" right after a
    free-bed answer, and nothing of an appointment (a clinic, a clinician, a time)."""
    likely = turn.intent
    if likely == "nlu_fallback":  # unsure: the first task of NLU's ranking
        likely = next((str(r.get("name")) for r in turn.ranking[1:2]), None)
    if turn.is_payload or likely != "book_appointment" or not _RESERVE.search(turn.text):
        return False
    if any(turn.values(slot) for slot in APPOINTMENT_DETAILS):
        return False
    if _A_BED.search(turn.text):
        return True
    return bool(_IT.search(turn.text)) and any(k in BED_ANSWERS for k in last_answer_kinds(tracker))


def say_beds_not_booked(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(
        text=(
            "I can't book or reserve a bed: beds are allocated in the HMS by the bed manager "
            "or the ward. I can find free beds, or tell you when one frees."
        ),
        buttons=[
            {"title": "Free beds", "payload": "/check_bed_availability"},
            {"title": "Watch for a bed", "payload": "/watch_bed_availability"},
        ],
        json_message={"phi": False, "kind": "bed_booking_not_done", "data": {}},
    )
