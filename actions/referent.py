"""The patient a message means by "she", "him", "the patient": the one of the task in hand.

"where is she?" / "which bed is he in?" asked in the middle of booking Emily Lloyd's
appointment is about Emily Lloyd: the task interrupted (the ``stash``) gave her name and
MRN, and the question is served with them rather than asking "Which patient?" again.

The referent is the task in hand, or the request answered just before ("where is Emily
Lloyd?" ... "book her into cardiology"; a booking ... "which bed is she in?"): a found
patient's or a booking's ``last_task`` keeps who, for the next request only (``last_task``
is cleared when any other request ends); failing those, the patient of a request answered
up to ``RECENT_TURNS`` messages back ("where is Emily Lloyd?" ... "free beds on 4B?" ...
"book her into cardiology"). Every request made this way is checked and audited as if the
patient had been named.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.state import Turn, slots_before_turn

PATIENT_SLOTS = ("patient_name", "mrn")
RECENT_TURNS = 3  # how many messages back "her" may still mean a patient answered

# a patient referred to, not named ("his" as "her" is: "what about his other ones")
THE_PATIENT = re.compile(
    r"\b(?:them|him|her|his|their|they|he|she|the\s+(?:patient|pt|lady|gentleman|man|woman|child)"
    r"|this\s+(?:patient|pt)|that\s+(?:patient|pt))\b",
    re.I,
)


def refers_to_patient(text: str) -> bool:
    """The message speaks of a patient without naming them ("where is she?")."""
    return bool(THE_PATIENT.search(text or ""))


# "what has he got now", "what's she got booked", "what else does he have": their
# appointments, asked of the patient in hand (NLU: not understood)
_WHAT_THEY_HAVE = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|and|so|right)\W+)*what(?:\s+else)?(?:'s|\s+has|\s+have|\s+does|\s+do)?\s+"
    r"(?:he|she|they|him|her|the\s+patient)(?:'s)?\s+(?:else\s+)?"
    r"(?:got|have|has|booked)\b(?:\s+(?:got|booked|now|on|coming\s+up|left|else|then))*\W*$",
    re.I,
)


# "what about her other ones", "and his other appointments?" right after cancelling one
_THEIR_OTHERS = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|and|so|right)\W+)*(?:what\s+about\s+|and\s+)?(?:her|his|their)\s+"
    r"other\s+(?:ones?|appointments?|appts?|bookings?)\W*$",
    re.I,
)


def asks_what_they_have(text: str) -> bool:
    """ "what has he got now" right after booking him, "what about her other ones" right
    after cancelling one of hers: their appointments (it was "Sorry, I didn't get that")."""
    return bool(_WHAT_THEY_HAVE.search(text or "") or _THEIR_OTHERS.search(text or ""))


def patient_in_hand(tracker: Tracker, turn: Turn, wanted: list[str]) -> dict[str, Any]:
    """The name and MRN of the interrupted task's patient, for a request that takes a
    patient (``wanted``) and refers to one without naming them; {} otherwise (the message
    names a patient, speaks of none, or no task in hand has one)."""
    if turn.is_payload or not set(wanted) & set(PATIENT_SLOTS):
        return {}
    if any(turn.values(slot) for slot in PATIENT_SLOTS) or not refers_to_patient(turn.text):
        return {}
    stash = tracker.get_slot("stash")
    stashed = stash.get("slots") if isinstance(stash, dict) else None
    # the task interrupted (stashed as the new request started), or the one still in hand
    before = slots_before_turn(tracker)  # (not what the slot mappings took from this message)
    last = before.get("last_task")
    # the request just answered: a patient found, an appointment booked
    answered = (last.get("patient") or last.get("slots")) if isinstance(last, dict) else None
    for held in (stashed, {s: before.get(s) for s in PATIENT_SLOTS}, answered):
        if not isinstance(held, dict):
            continue
        meant = {s: held[s] for s in PATIENT_SLOTS if s in wanted and held.get(s) not in (None, "")}
        if meant:
            return meant
    return recent_patient(tracker, wanted)


def recent_patient(tracker: Tracker, wanted: list[str]) -> dict[str, Any]:
    """The patient of the newest request answered in the last ``RECENT_TURNS`` messages
    (a ``last_task`` naming one), {} when none; a new session ends the search."""
    users = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            break
        if kind == "user":
            users += 1
            if users > RECENT_TURNS + 1:  # (the first is the message being answered)
                break
        if kind != "slot" or event.get("name") != "last_task":
            continue
        last = event.get("value")
        held = (last.get("patient") or last.get("slots")) if isinstance(last, dict) else None
        if isinstance(held, dict):
            meant = {
                s: held[s] for s in PATIENT_SLOTS if s in wanted and held.get(s) not in (None, "")
            }
            if meant:
                return meant
    return {}


# a bed referred to, not named ("get housekeeping to do it", "send a porter there")
THE_BED = re.compile(r"\b(?:it|there|that\s+(?:bed|one)|this\s+bed|the\s+bed)\b", re.I)


def bed_in_hand(tracker: Tracker, turn: Turn) -> dict[str, Any] | None:
    """The ward and bed of the bed changed just before, for a help request that refers to
    it and names no place ("bed 8 needs a clean" ... "can you get housekeeping to do it")."""
    last = slots_before_turn(tracker).get("last_task")
    if turn.intent != "request_help" or not isinstance(last, dict):
        return None
    if last.get("intent") != "update_bed_status" or not THE_BED.search(turn.text):
        return None
    if turn.values("ward") or turn.values("bed"):
        return None
    slots = last.get("slots") or {}
    if not (slots.get("ward") and slots.get("bed")):
        return None
    return {"ward": slots["ward"], "bed": slots["bed"]}
