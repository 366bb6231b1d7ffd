"""Right after a clinic's list for a day, "who's the 12 o'clock?", "who is the 11:30": the
entry of that list at that time (NLU read it as the status of one's help requests: "You
have no help requests"). The list keeps only its times (``last_task.clinic_listed``), never
a patient; the answer is the clinic list read again, narrowed to that time."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker

from actions.scheduling import offered_at
from actions.services import get_services
from actions.state import slots_before_turn

_WHO = re.compile(r"\bwho(?:'?s|\s+is|\s+was|\s+have\s+we\s+got)?\b", re.I)


def _listed(tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    last = slots_before_turn(tracker).get("last_task")
    if not isinstance(last, dict) or last.get("intent") != "list_clinic_appointments":
        return {}, []
    starts = last.get("clinic_listed")
    return dict(last.get("slots") or {}), [str(s) for s in starts or []]


def entry_time(tracker: Tracker) -> str | None:
    """The start (ISO) of the listed entry the latest message asks about by its time."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if text.lstrip().startswith("/") or not _WHO.search(text):
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
