"""A question asked again the same way is a miss: a task's step, or an unknown value.

A step a task waits on (choose a slot, confirm) asked again the same way is a miss.

"Please pick one of these" after "blorp", "Shall I book it? Yes or no." after "hmm": the
step is asked again with the same offer. As for a form's question (``actions.forms``,
``actions.asks``), the same step is not asked a third time the same way: the second miss
adds "Stop" and the help desk as buttons, the third ends the task (nothing changed, the
help desk offered, never contacted). A task that answers ``unknown_<thing>`` for the
same slot twice in a row ("I don't know ward '9'", then "ward 10") offers the help desk.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.state import MAX_MISSES, slots_before_turn
from intents.catalog import default_catalog

STOP_BUTTON = {"title": "Stop", "payload": "/stop"}
HELP_DESK_BUTTON = {"title": "Contact the help desk", "payload": "/talk_to_human"}
GAVE_UP = (
    "I couldn't tell which you meant, so I've stopped there and nothing was changed. You "
    "can start again, or I can put you through to the help desk."
)
_MARK = "step|"  # `misses` of a step: "step|<pending>|<n>" (a form's: "<slot>:<n>")


def _set(events: list[dict[str, Any]], name: str) -> tuple[bool, Any]:
    found = [e for e in events if e.get("event") == "slot" and e.get("name") == name]
    return (True, found[-1].get("value")) if found else (False, None)


def repeated(tracker: Any, events: list[dict[str, Any]]) -> str | None:
    """The step asked again unchanged by this turn's events (same ``pending``, same offer
    and confirmation), for a typed message; None when the task moved on."""
    before = slots_before_turn(tracker)
    pending = before.get("pending")
    text = str((tracker.latest_message or {}).get("text") or "")
    if not isinstance(pending, str) or ":" not in pending or text.lstrip().startswith("/"):
        return None
    has, now = _set(events, "pending")
    if not has or now != pending:
        return None
    for name in ("offered", "confirmed"):
        has, value = _set(events, name)
        if has and value != before.get(name):
            return None
    return pending


def count_misses(
    tracker: Any, intent: str, events: list[dict[str, Any]], messages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The events after a step was asked again: the miss counted, and on the second miss
    the stop and help-desk buttons added to the question; on the third the step ends
    (``messages`` replaced by the give-up answer). Unchanged when the task moved on."""
    step = repeated(tracker, events)
    if step is None:
        return [*events, SlotSet("misses", None)] if _counting(tracker) else events
    previous = slots_before_turn(tracker).get("misses")
    count = 1
    if isinstance(previous, str) and previous.startswith(f"{_MARK}{step}|"):
        tail = previous.rsplit("|", 1)[1]
        count = int(tail) + 1 if tail.isdigit() else 1
    if count >= MAX_MISSES:
        messages[:] = [
            {
                "text": GAVE_UP,
                "buttons": [HELP_DESK_BUTTON],
                "json_message": {
                    "phi": False,
                    "kind": "fallback_default",
                    "data": {"intent": intent, "slot": step.split(":", 1)[1]},
                },
            }
        ]
        kept = [e for e in events if not (e.get("event") == "slot" and e.get("name") == "pending")]
        return [*kept, SlotSet("misses", None)]
    if count == MAX_MISSES - 1 and messages:
        last = messages[-1]
        extra = [b for b in (STOP_BUTTON, HELP_DESK_BUTTON) if b not in last["buttons"]]
        last["buttons"] = [*last["buttons"], *extra]
    return [*events, SlotSet("misses", f"{_MARK}{step}|{count}")]


def _counting(tracker: Any) -> bool:
    misses = slots_before_turn(tracker).get("misses")
    return isinstance(misses, str) and misses.startswith(_MARK)


def misses_before(tracker: Tracker, intent: str, slot: str, value: Any = None) -> int:
    """How many turns in a row just before this one the task did not know ``slot`` (with
    ``value``: the same value each time - another value is another question)."""
    last = slots_before_turn(tracker).get("last_task")
    if not (
        isinstance(last, dict) and last.get("intent") == intent and last.get("unknown") == slot
    ):
        return 0
    if value is not None:
        if str(last.get("missed_value") or "").casefold() != str(value).casefold():
            return 0
    missed = last.get("missed")
    return int(missed) if isinstance(missed, int) and missed > 0 else 1


def unknown_value(tracker: Tracker, slot: str | None) -> str | None:
    """The value of ``slot`` the task did not know this turn ("6A"), kept to tell the same
    value said again from another; never a patient's name or MRN."""
    if slot is None or slot not in default_catalog().slot_names():
        return None
    if default_catalog().slot(slot).thing == "patient":
        return None
    value = tracker.get_slot(slot)
    return str(value) if isinstance(value, (str, int)) and str(value) else None


def said_unknown(messages: list[dict[str, Any]], slot: str | None) -> str | None:
    """The value of ``slot`` an ``unknown_<thing>`` answer did not know ("9" of "ward 9"),
    as said even when no slot holds it (a ward named with the request); never a patient."""
    catalog = default_catalog()
    if slot is None or slot not in catalog.slot_names() or catalog.slot(slot).thing == "patient":
        return None
    for message in messages:
        json_message = message.get("json_message") or {}
        if json_message.get("kind") == f"unknown_{catalog.slot(slot).thing}":
            value = (json_message.get("data") or {}).get("value")
            if isinstance(value, (str, int)) and str(value):
                return str(value)
    return None


def give_up_unknown(messages: list[dict[str, Any]], intent: str, slot: str) -> None:
    """The same unknown value a third time in a row ("6A", "6A", "6A"): not the same answer
    again - the
    task stops there, and a person is offered (never contacted by itself)."""
    messages[:] = [
        {
            "text": f"I still don't know that {slot.replace('_', ' ')}, so I've stopped there "
            "and nothing was changed. You can start again, or I can put you through to the "
            "help desk.",
            "buttons": [HELP_DESK_BUTTON],
            "json_message": {
                "phi": False,
                "kind": "fallback_default",
                "data": {"intent": intent, "slot": slot},
            },
        }
    ]


def offer_help_desk(messages: list[dict[str, Any]]) -> None:
    """Add the help desk to the ``unknown_<thing>`` answer (offered, never contacted)."""
    for message in messages:
        kind = str((message.get("json_message") or {}).get("kind") or "")
        if kind.startswith("unknown_") and HELP_DESK_BUTTON not in message["buttons"]:
            message["buttons"] = [*message["buttons"], HELP_DESK_BUTTON]
            message["text"] = f"{message['text']} Or I can put you through to the help desk."
