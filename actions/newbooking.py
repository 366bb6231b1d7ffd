"""A new booking NLU read as something else: "appt please: friday, derm, 10180589 Ngozi
Price" (as a move), "put Kerry Demir 10001575 into the 12:00 ent slot friday" (not
understood), "book Kerry Demir 10001575 into the 10:20" (as a help-job step), "I need to
book a patient" (as a help request); and "no I want a new one" to a move's list of
appointments. A booking is said with a booking word and nothing that moves, cancels,
lists or asks about appointments."""

from __future__ import annotations

import re

from actions.state import Turn

# "book", or an appointment named with a patient or clinic and nothing else asked for
_BOOK_VERB = re.compile(
    r"\b(?:book|(?:a|new)\s+booking|new\s+(?:one|appt|appointment|booking))\b", re.I
)
# "put Kerry Demir into the 12:00 slot": with a patient or clinic named, or a slot
_PUT = re.compile(r"\bput\s+.+?\s+(?:in|into|on)\b", re.I)
_APPOINTMENT = re.compile(r"\b(?:appt|appointment|slot)s?\b", re.I)
# words of another appointment task (or of a question about one); "resched", "resch"
# are staff's short "reschedule" ("resched Hiroshi Kelly 10021001 appt to next fri" was
# taken for a new booking and asked "Which clinic or department?")
_OTHER_TASK = re.compile(
    r"\b(?:move|moving|moved|re-?sch\w*|re-?book\w*|change|switch|shift|push|postpone|"
    r"delay|swap|re-?arrange|bring\s+(?:it\s+|that\s+)?forward|earlier|later|instead|"
    r"cancel\w*|list|show|what|which|when|any|free|available|check|find|where|has|have|"
    r"does|is\s+there|are\s+there|can'?t|cannot|won'?t|unable|system|down|broken|frozen|"
    r"error|working)\b|\?",
    re.I,
)
# intents a booking is misread as (never an emergency, a stop, or another appointment task)
MISREAD_AS = frozenset(
    {
        "reschedule_appointment",
        "update_help_task",
        "request_help",
        "check_request_status",
        "cancel_help_request",
        "list_my_jobs",
        "nlu_fallback",
        "inform",
    }
)
_NEW_ONE = re.compile(
    r"\b(?:new\s+(?:one|appt|appointment|booking)|book\s+(?:a|one|it)\b|not\s+(?:a\s+)?move)",
    re.I,
)


def means_booking(turn: Turn) -> bool:
    """The message asks for a new booking whatever NLU read it as (see the module)."""
    if turn.is_payload or turn.intent not in MISREAD_AS or _OTHER_TASK.search(turn.text):
        return False
    if _BOOK_VERB.search(turn.text):
        return True
    named = turn.values("patient_name") or turn.values("mrn") or turn.values("department")
    slot = _APPOINTMENT.search(turn.text)
    return bool((slot and named) or (_PUT.search(turn.text) and (slot or named)))


def wants_a_new_one(text: str) -> bool:
    """ "no I want a new one", "book a new appointment" to a move's question: a booking."""
    return bool(_NEW_ONE.search(text or "")) and not text.lstrip().startswith("/")
