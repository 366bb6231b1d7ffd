"""Right after a clinic's list for a day: "who's the 12 o'clock?", "who is the 11:30" (NLU:
the status of one's help requests, "You have no help requests") is the entry of that list
at that time, the list read again narrowed to it; "cancel the 11:30" (NLU: a help
request's cancel, "no open help requests to cancel") is that appointment's cancel, the
patient asked as for any cancel. The list keeps only its times
(``last_task.clinic_listed``), never a patient."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.scheduling import offered_at
from actions.services import get_services
from actions.state import slots_before_turn

_WHO = re.compile(r"\bwho(?:'?s|\s+is|\s+was|\s+have\s+we\s+got)?\b", re.I)
_CANCEL = re.compile(r"\bcancel\b", re.I)


def _listed(tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    last = slots_before_turn(tracker).get("last_task")
    if not isinstance(last, dict) or last.get("intent") != "list_clinic_appointments":
        return {}, []
    starts = last.get("clinic_listed")
    return dict(last.get("slots") or {}), [str(s) for s in starts or []]


def entry_time(tracker: Tracker, cue: re.Pattern[str] = _WHO) -> str | None:
    """The start (ISO) of the listed entry the latest message asks about by its time (with
    the ``cue`` words: who is it, or cancel it)."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if text.lstrip().startswith("/") or not cue.search(text):
        return None
    _, starts = _listed(tracker)
    if not starts:
        return None
    services = get_services()
    starts = list(dict.fromkeys(starts))  # several seen at 09:00: all of them
    listed = {"ids": starts, "starts": starts}
    return offered_at(listed, text, services.clock(), services.settings.hospital_tz)


def entry_asked(tracker: Tracker) -> dict[str, Any] | None:
    """The clinic list's details (clinic or clinician, day) to read again for the entry
    the message asks about, or None."""
    start = entry_time(tracker)
    if start is None:
        return None
    shown, _ = _listed(tracker)
    day = datetime.fromisoformat(start).date().isoformat()
    kept = {k: shown[k] for k in ("department", "clinician") if shown.get(k)}
    return {**kept, "time": shown.get("time") or day}


def cancel_asked(tracker: Tracker) -> dict[str, Any] | None:
    """ "cancel the 11:30" right after a clinic's list: the cancel's details (the clinic and
    that day and time; the patient is asked, two identifiers as for any cancel), or None."""
    start = entry_time(tracker, _CANCEL)
    if start is None:
        return None
    shown, _ = _listed(tracker)
    tz = get_services().settings.hospital_tz
    moment = datetime.fromisoformat(start).astimezone(ZoneInfo(tz))
    kept = {k: shown[k] for k in ("department",) if shown.get(k)}
    return {**kept, "time": f"{moment:%Y-%m-%d %H:%M}"}


# a clock time said as such: "10:00", "10.30", "10am", "10 o'clock" (never a bare number)
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2})\s*(am|pm)?|\s*(am|pm|o'?\s?clock)\b)", re.I)


def _clock(text: str) -> str | None:
    found = _CLOCK.search(text)
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    half = (found.group(3) or found.group(4) or "").lower()
    hour += 12 if half == "pm" and hour < 12 else 0
    hour = 0 if half == "am" and hour == 12 else hour
    if hour > 23 or minute > 59:
        return None
    if not half and 1 <= hour <= 6:
        hour += 12  # "the 2:30": clinics run by day
    return f"{hour:02d}:{minute:02d}"


def time_not_listed(tracker: Tracker) -> tuple[str, list[str]] | None:
    """ "cancel the 10:00" / "who is the 10 o'clock" right after a clinic's list with no
    entry then: the time said and the list's times (local "HH:MM"), or None. It was read
    as a help request's cancel or status ("You have no open help requests to cancel")."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if text.lstrip().startswith("/") or not (_CANCEL.search(text) or _WHO.search(text)):
        return None
    _, starts = _listed(tracker)
    said = _clock(text) if starts else None
    if said is None or entry_time(tracker, _CANCEL) or entry_time(tracker):
        return None
    zone = ZoneInfo(get_services().settings.hospital_tz)
    times = [f"{datetime.fromisoformat(s).astimezone(zone):%H:%M}" for s in starts]
    return said, list(dict.fromkeys(times))


def say_not_listed(dispatcher: CollectingDispatcher, said: str, times: list[str]) -> None:
    dispatcher.utter_message(
        text=f"No appointment at {said} on that list. Its times: {', '.join(times)}.",
        json_message={
            "phi": False,
            "kind": "list_clinic_appointments_none",
            "data": {"count": 0},
        },
    )
