"""A clinical order ("can you order bloods for bed 5", "request a CT for Hamza",
"prescribe antibiotics"): out of scope, whatever task NLU read it as (a bed question,
"4B Bed 5 is not free", was answered). Said plainly: the assistant does not order tests,
scans or treatment; the clinical system does."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

_ORDER = re.compile(
    r"\b(?:order|ordering|prescribe|prescribing|request|requesting|arrange|send\s+off|"
    r"chart)\s+(?:(?:a|an|some|the|more|repeat|urgent|routine|new)\s+)*"
    r"(?:bloods?|blood\s+tests?|blood\s+cultures?|cultures?|labs?\s+tests?|fbc|u\s*&\s*e'?s?|"
    r"crp|lfts?|ecg|ekg|x-?rays?|chest\s+x-?ray|cxr|ct(?:\s+scan)?|mri(?:\s+scan)?|scans?|"
    r"ultrasound|echo|meds|medications?|drugs?|antibiotics?|fluids|iv\s+fluids|analgesia|"
    r"pain\s+relief|insulin|oxygen\s+therapy|swabs?|urine\s+(?:sample|dip|test))\b",
    re.I,
)
_NOT_ORDER = re.compile(r"\b(?:porter|take|bring|collect|wheelchair)\b", re.I)
TEXT = (
    "I can't order tests, scans or treatment: please use the clinical system for that. "
    "I can find free beds, book or cancel appointments, find which bed a patient is in, "
    "request a porter, IT or housekeeping, or put you through to the help desk."
)


def orders_clinically(text: str) -> bool:
    """Words that order a test, scan or treatment (never a porter taking someone there)."""
    if not text or text.lstrip().startswith("/"):
        return False
    return bool(_ORDER.search(text)) and not _NOT_ORDER.search(text)


def say_not_ordered(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(
        text=TEXT,
        json_message={"phi": False, "kind": "out_of_scope_answer", "data": {"order": True}},
    )


def a_clinical_order(tracker: Tracker, intent: str) -> bool:
    """This message (read as ``intent``, not a form submitted) orders clinically."""
    if (tracker.latest_message.get("intent") or {}).get("name") != intent:
        return False
    return orders_clinically(str(tracker.latest_message.get("text") or ""))
