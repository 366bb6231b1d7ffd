"""Which booking times go straight to their confirmation (``actions.exacttime``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from actions.exacttime import picked, the_time_asked
from assistant.hms.models import Slot

TZ = "Europe/London"
NOW = datetime(2026, 12, 3, 18, 0, tzinfo=ZoneInfo(TZ))


def _slot(hour: int, minute: int) -> Slot:
    start = datetime(2026, 12, 7, hour, minute, tzinfo=ZoneInfo(TZ))
    return Slot(
        f"s-{hour}{minute}", None, "cardiology", None, start, start + timedelta(minutes=20), "free"
    )


def test_exacttime_a_slot_picked_from_a_shown_list_is_confirmed():
    # "book the 2nd for Kerry Demir 10001575" right after a free-slots list: the pick
    # ("2026-12-07 09:40") was offered among the nearest slots instead of confirmed
    slots = [_slot(9, 20), _slot(9, 40), _slot(10, 20)]
    assert picked("2026-12-07 09:40") and not picked("monday 9:40")
    found = the_time_asked([], "2026-12-07 09:40", slots, NOW, TZ)
    assert found is not None and found.id == "s-940"


def test_exacttime_a_time_inside_the_request_is_no_pick():
    slots = [_slot(9, 20), _slot(9, 40), _slot(10, 20)]
    events = [
        {"event": "user", "text": "book kerry demir into cardiology monday 9:40"},
        {"event": "slot", "name": "time", "value": "monday 9:40"},
    ]
    assert the_time_asked(events, "monday 9:40", slots, NOW, TZ) is None
