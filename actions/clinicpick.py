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
