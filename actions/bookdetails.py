"""A booking built from its details, said one per message with no task in hand.

"at 11am" / "for Ngozi Price" / "diabetes clinic" / "on wednesday" / "MRN 10180589": no
booking word, so each message alone was not understood (or "diabetes clinic" was today's
diabetes list). A message that says only details a booking takes (a time, a patient's
name or MRN, a clinic), right after one that said only another of them and was not
understood, is the user building a booking: the booking form starts with what both (and
any such messages right before) said, and asks for the rest. Conservative on purpose: a
lone "for Ngozi Price" or "diabetes clinic" is read as before (a patient to locate, the
clinic's list), and so is a detail right after any request that was answered.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.state import blanked
from actions.timeparse import says_only_time

# the details of a booking, by what they are about
KINDS = {"time": "time", "patient_name": "patient", "mrn": "patient", "department": "clinic"}
# words that may stand around the details ("for Ngozi Price", "MRN 10180589", "at 11am")
_AROUND = frozenset(
    "for at on in into the a an to with clinic clinics mrn patient please pls and its it's "
    "is ok okay um er oh also then her his name number".split()
)
MAX_BACK = 3  # messages before this one that may have said details
_NOT_UNDERSTOOD = re.compile(r"^(?:nlu_fallback_\w+|fallback_default)$")


def details_in(text: str, entities: list[dict[str, Any]], now: Any, tz: str) -> dict[str, str]:
    """The booking details ``text`` says, when it says nothing else; {} otherwise."""
    if not text or text.lstrip().startswith("/"):
        return {}
    found: dict[str, str] = {}
    spans = []
    for entity in entities:
        name = str(entity.get("entity"))
        if name in KINDS and entity.get("value") not in (None, ""):
            found.setdefault(name, str(entity["value"]))
            spans.append((int(entity.get("start") or 0), int(entity.get("end") or 0)))
    rest = [
        w for w in re.findall(r"[a-z0-9:'.]+", blanked(text, spans).lower()) if w not in _AROUND
    ]
    if rest:
        said = " ".join(rest)
        if "time" in found or not says_only_time(said, now, tz):
            return {}  # something else said besides the details
        found["time"] = " ".join(text.split()) if not spans else said
    return found


def _kinds(details: dict[str, str]) -> set[str]:
    return {KINDS[name] for name in details}


def _earlier(tracker: Tracker) -> list[tuple[dict[str, Any], list[str]]]:
    """The user messages before the latest (newest first), each with the kinds of the
    assistant's replies to it."""
    events = list(tracker.events)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    out = []
    for n in range(len(users) - 2, max(len(users) - 2 - MAX_BACK, -1), -1):
        start, end = users[n], users[n + 1]
        kinds = [
            str(((e.get("data") or {}).get("custom") or {}).get("kind") or "")
            for e in events[start:end]
            if e.get("event") == "bot"
        ]
        out.append((events[start], kinds))
    return out


def building_a_booking(tracker: Tracker, now: Any, tz: str) -> dict[str, str] | None:
    """The details of the booking the latest message and the not-understood messages right
    before it build (two kinds of detail at least, the latest adding a new kind); None
    when the latest message is no such detail."""
    message = tracker.latest_message or {}
    latest = details_in(
        str(message.get("text") or ""), list(message.get("entities") or []), now, tz
    )
    if not latest:
        return None
    gathered: dict[str, str] = {}
    for event, kinds in _earlier(tracker):
        if not kinds or not all(_NOT_UNDERSTOOD.match(k) for k in kinds):
            break  # answered as a request of its own (or nothing said back)
        parse = event.get("parse_data") or {}
        said = details_in(str(event.get("text") or ""), list(parse.get("entities") or []), now, tz)
        if not said:
            break
        gathered = {**said, **gathered}
    if not gathered or _kinds(latest) <= _kinds(gathered):
        return None
    return {**gathered, **latest}
