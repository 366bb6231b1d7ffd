""" "where were we?" asked in the middle of something: its question again, never a new task.

NLU reads "where were we" as finding a patient (0.6): mid bed change it dropped the form
for "What is the patient's full name?", and at "ICU Bed 3 is occupied - close it anyway?"
it put the question away for a find nobody asked for. Read as a yes (it is one of
``resume``'s yes words, right for "Shall we carry on ...?"), it would have closed the
occupied bed. Here: a form asking - "Carrying on with <its resume words>." and its question again;
a step waiting on an answer (a confirmation, a choice) - that question again, as it was
asked; nothing in hand - said so.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.state import Turn, active_form, initials, pending_intent

_WHERE = re.compile(
    r"^\W*(?:(?:ok|okay|so|right|sorry|anyway|um+|er+|hmm+|wait|oh)\W+)*"
    r"(?:where\s+were\s+we|what\s+were\s+we\s+(?:doing|on|saying)|where\s+was\s+i|"
    r"what\s+was\s+i\s+doing)(?:\W+(?:again|then|now|please|up\s+to))*\W*$",
    re.I,
)


def asks_where_we_were(turn: Turn) -> bool:
    """The whole message asks where the conversation was ("where were we?", "ok, what
    were we doing again")."""
    return not turn.is_payload and bool(_WHERE.match(turn.text))


def _last_question(tracker: Tracker) -> dict[str, Any] | None:
    """The assistant's latest message (the step's question), as it was sent."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot" and event.get("text"):
            return event
    return None


def where_we_were(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn
) -> tuple[str | None, bool]:
    """Answers "where were we?": (the form to ask its question again, or None; whether it
    was answered). Not answered when the message is no such question, or a task put aside
    waits to be offered (``resume`` answers that)."""
    if not asks_where_we_were(turn):
        return None, False
    form = active_form(tracker)
    if form is not None:
        who = initials(tracker.get_slot("patient_name")) or "the patient"
        resume = (form.resume or "the request").replace("{patient}", who)
        dispatcher.utter_message(
            text=f"Carrying on with {resume}.",
            json_message={"phi": False, "kind": "where_we_were", "data": {"intent": form.intent}},
        )
        return form.name, True
    if pending_intent(tracker.get_slot("pending")) is not None:
        asked = _last_question(tracker)
        if asked is None:
            return None, False
        data = asked.get("data") or {}
        dispatcher.utter_message(
            text=str(asked.get("text")),
            buttons=list(data.get("buttons") or []),
            json_message=data.get("custom") or {"phi": False, "kind": "where_we_were"},
        )
        return None, True
    if tracker.get_slot("stash"):
        return None, False
    dispatcher.utter_message(
        text="We weren't in the middle of anything. What can I do for you?",
        json_message={"phi": False, "kind": "where_we_were_nothing", "data": {}},
    )
    return None, True
