"""A step asked again the same way is a miss (actions.steps)."""

from __future__ import annotations

from actions.steps import count_misses
from tests.actions.fakes import tracker

OFFERED = {"kind": "slot", "ids": ["slot-1", "slot-2"]}


def _asked_again(misses, text="blorp", offered=OFFERED):
    before = {"pending": "book_appointment:offer", "offered": OFFERED, "misses": misses}
    events = [
        *({"event": "slot", "name": k, "value": v} for k, v in before.items()),
        {"event": "user", "text": text, "parse_data": {}},
    ]
    trk = tracker("s.ali", intent="nlu_fallback", text=text, slots=before, events=events)
    out = [
        {"event": "slot", "name": "pending", "value": "book_appointment:offer"},
        {"event": "slot", "name": "offered", "value": offered},
    ]
    messages = [{"text": "Please pick one of these.", "buttons": [], "json_message": {}}]
    return count_misses(trk, "book_appointment", out, messages), messages


def _misses(events):
    return [e["value"] for e in events if e.get("name") == "misses"]


def test_steps_the_same_offer_again_counts_a_miss_and_the_second_offers_a_person():
    events, messages = _asked_again(None)
    assert _misses(events) == ["step|book_appointment:offer|1"] and messages[0]["buttons"] == []
    events, messages = _asked_again("step|book_appointment:offer|1")
    assert _misses(events) == ["step|book_appointment:offer|2"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/stop", "/talk_to_human"]


def test_steps_the_third_miss_ends_the_step_with_nothing_changed():
    events, messages = _asked_again("step|book_appointment:offer|2")
    assert [m["json_message"]["kind"] for m in messages] == ["fallback_default"]
    assert not any(e.get("name") == "pending" for e in events)


def test_steps_a_new_offer_is_no_miss():
    events, _ = _asked_again("step|book_appointment:offer|1", offered={"ids": ["slot-9"]})
    assert _misses(events) == [None]
