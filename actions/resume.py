"""The offer to go back to an interrupted task ("Shall we carry on moving the appointment
for G.B.?") and its answer.

The answer is read from what was said, not only from NLU's intent: "no, I'll move the
patient later", "no, keep it where it is", "no, I just wanted the list" are a no to the
offer, although their words pull NLU towards a task (a porter request, a status check) or
leave it unsure. A message that opens with a yes or a no word (``polarity``) is the answer
unless it names details of a new request (a ward, a patient, a clinic ...) or NLU is sure
of another task and nothing in it puts the task off ("no, I need a porter" is a new
request; "no, I'll reschedule it another time" is a no). Emergencies never are answers.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.sayback import changed_text
from actions.state import (
    RESUME,
    STEP_STATE,
    YES_NO,
    Turn,
    reset,
    resume_offer,
    slots_before_turn,
)
from intents.catalog import default_catalog

Events = list[dict[str, Any]]

_NO = re.compile(
    r"^\W*(?:no+|nah|nope|naw|that'?s\s+(?:all|it|everything)|i'?m\s+(?:done|finished)|all\s+done|not\s+(?:now|yet|today|right\s+now|at\s+the\s+moment|for\s+now|"
    r"this\s+time|any\s*more|really)|don'?t\s+(?:bother|worry|carry\s+on|go\s+back)|"
    r"do\s+not\s+(?:bother|carry\s+on|go\s+back)|leave\s+it|forget\s+(?:it|that|about\s+it)|"
    r"never\s*mind|maybe\s+later|later|skip\s+(?:it|that))\b",
    re.I,
)
_YES = re.compile(
    r"^\W*(?:yes+|yeah|yea|yep|yup|ya|aye|sure|ok(?:ay)?|go\s+on|go\s+ahead|please\s+do|"
    r"carry\s+on|continue|resume|(?:let'?s\s+)?go\s+back|back\s+to\s+(?:it|that|the|my|what)|"
    r"where\s+were\s+we|what\s+were\s+we\s+(?:doing|on)|"
    r"pick\s+(?:it|that)\s+(?:back\s+)?up|finish\s+(?:it|that|off)|"
    r"let'?s\s+(?:do\s+(?:it|that)|carry\s+on|continue|finish))\b",
    re.I,
)
# "later", "another time": the task is put off, whatever task words come with it
_PUTS_OFF = re.compile(
    r"\b(?:later|another\s+(?:time|day)|some\s+other\s+time|for\s+now|not\s+now|come\s+back\s+"
    r"to|myself|leave\s+(?:it|the|them)|keep\s+it|as\s+it\s+is|only\s+(?:wanted|needed|checking)|"
    r"just\s+(?:wanted|needed|checking))\b",
    re.I,
)
SURE_TASK = 0.9  # NLU this sure of another task: a new request, not an answer
# details that start a new request; urgency is not one ("no, no rush" is a plain no)
NOT_DETAILS = frozenset({"urgency"})


def polarity(text: str) -> str | None:
    """ "affirm" / "deny" when the message opens with a yes or a no word, else None."""
    if _NO.search(text or ""):
        return "deny"
    if _YES.search(text or ""):
        return "affirm"
    return None


def names_details(turn: Turn, held: dict[str, Any] | None = None) -> bool:
    """The message names a detail of a request (an entity of some task) other than urgency,
    and not one the task offered holds already ("back to the porter" names the porter
    request it goes back to)."""
    known = default_catalog().entities() - NOT_DETAILS
    same = {str(v).lower() for v in (held or {}).values() if isinstance(v, str)}
    return any(
        str(e.get("entity")) in known and str(e.get("value")).lower() not in same
        for e in turn.entities
    )


def answers_offer(tracker: Tracker, turn: Turn) -> str | None:
    """ "affirm" / "deny" when the message is the answer to the open offer to go back,
    whatever NLU read it as; None when no offer is open or the message is something else."""
    if slots_before_turn(tracker).get("pending") != RESUME:
        return None
    if turn.is_payload or turn.intent == "emergency" or turn.safety not in (None, "none"):
        return None
    if turn.intent in ("affirm", "deny"):
        return turn.intent
    said = polarity(turn.text)
    stash = tracker.get_slot("stash")
    held = stash.get("slots") if isinstance(stash, dict) else None
    if said is None or names_details(turn, held if isinstance(held, dict) else None):
        return None
    intent = default_catalog().find(turn.intent)
    stashed = stash.get("intent") if isinstance(stash, dict) else None
    sure_of_another = (
        intent is not None
        and intent.is_task
        and intent.name != stashed
        and turn.confidence >= SURE_TASK
    )
    if sure_of_another and not (said == "deny" and _PUTS_OFF.search(turn.text)):
        return None
    return said


RESUME_MISSED = "resume:1"  # "Shall we carry on ...?" was asked again once


def go_back(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, answer: str | None = None
) -> Events:
    """The answer to "Shall we carry on ...?": yes re-opens the stashed form with its
    values (the form asks what is still missing, or finishes), and so does a change of one
    of its details ("actually make it wednesday"); no drops it; anything else asks again
    once, then the task is left (no question is asked a third time)."""
    stash = tracker.get_slot("stash")
    offer = resume_offer(stash)
    if offer is None or not isinstance(stash, dict):
        return [SlotSet("pending", None), SlotSet("stash", None)]
    kept = dict(stash.get("slots") or {})
    form = default_catalog().form(stash.get("form"))
    changed = details_for(form, turn, kept) if form and not turn.is_payload else {}
    if answer is None:
        answer = turn.intent if turn.intent in ("affirm", "deny") else polarity(turn.text)
    if answer is None and changed:
        answer = "affirm"  # "actually make it wednesday": carry on, with that changed
    if answer == "affirm":
        corrected = {k: v for k, v in changed.items() if kept.get(k) not in (None, "")}
        kept.update(changed)
        if changed:  # "yes, but make it dermatology": the record confirmed no longer fits
            kept = {k: v for k, v in kept.items() if k not in STEP_STATE}
        if corrected:  # "yes, but make it dermatology": back, with that changed (a detail
            # the task was still missing - "tuesday" after it stopped for want of a time -
            # is simply taken)
            changed = corrected
            dispatcher.utter_message(
                text=changed_text(list(changed), changed),
                json_message={
                    "phi": False,
                    "kind": "slot_corrected",
                    "data": {"slots": sorted(changed), **changed},
                },
            )
        missing = [s for s in (form.required if form else ()) if kept.get(s) in (None, "")]
        return [
            SlotSet("pending", None),
            SlotSet("stash", None),
            SlotSet("fallbacks", None),
            SlotSet("misses", None),
            *(SlotSet(k, v) for k, v in kept.items()),
            # the form asks what is still missing (or finishes) without re-reading "yes"
            SlotSet("requested_slot", missing[0] if missing else None),
            ActiveLoop(stash.get("form")),
        ]
    if answer == "deny":
        dispatcher.utter_message(
            text="OK, I've dropped that. Nothing was changed.",
            json_message={"phi": False, "kind": "stop_ok", "data": {"intent": stash.get("intent")}},
        )
        return reset()
    if tracker.get_slot("misses") == RESUME_MISSED:
        # asked twice already: not a third time (no question loops); the task is left
        dispatcher.utter_message(
            text="OK, I've left that for now. Nothing was changed. What would you like to do?",
            json_message={"phi": False, "kind": "stop_ok", "data": {"intent": stash.get("intent")}},
        )
        return reset()
    text, custom = offer
    dispatcher.utter_message(text=f"{text} Yes or no?", buttons=YES_NO, json_message=custom)
    return [SlotSet("misses", RESUME_MISSED)]


def details_for(form: Any, turn: Turn, kept: dict[str, Any]) -> dict[str, Any]:
    """Values NLU read in the yes for the resumed form's slots that differ from those kept
    ("yes but make it dermatology"); never a patient's name or MRN (those start afresh)."""
    from actions.reading import form_slots

    catalog = default_catalog()
    found: dict[str, Any] = {}
    for slot in form_slots(form):
        if slot not in catalog.slot_names() or catalog.slot(slot).thing == "patient":
            continue
        values = [v for e in catalog.slot(slot).entities for v, _ in turn.values(e)]
        if values and values[-1] != kept.get(slot):
            found[slot] = values[-1]
    return found


def loop_of(events: Events) -> str | None:
    """The form the events (re-)open last, if any."""
    loops = [e.get("name") for e in events if e.get("event") == "active_loop"]
    return str(loops[-1]) if loops and loops[-1] else None
