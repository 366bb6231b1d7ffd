"""What the dialogue knows about the current turn and the task slots, read from the tracker.

Slot hygiene lives here: ``reset`` clears every task slot (the catalog's slots) and the
bookkeeping slots (``intents.state``), so a task that ends - however it ends - leaves
nothing behind for the next request. ``slots_before_turn`` replays the tracker to the
values the slots had before the latest message, so an interrupted task is stashed with
what the user had given it, not with the interruption's entities.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet

from intents.catalog import Catalog, Form, default_catalog
from intents.state import STATE_SLOTS

Events = list[dict[str, Any]]
# bookkeeping that survives the end of one task: the interrupted task to offer again
KEEP_ON_FINISH = ("stash",)


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters inside ``spans`` made spaces: what a message says
    besides the values tagged in it."""
    return "".join(" " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(text))


# words that take a yes back: NLU has read "undo that" as a yes to "close it anyway?"
_TAKES_BACK = re.compile(
    r"\b(?:undo|revert|reverse|take\s+(?:it|that)\s+back|don'?t|do\s+not|never|wait|"
    r"hold\s+on|stop)\b",
    re.I,
)


@dataclass(frozen=True)
class Turn:
    """The latest user message as the actions see it."""

    intent: str | None
    confidence: float
    text: str
    entities: tuple[dict[str, Any], ...]
    safety: str | None  # the gateway's safety verdict for this message ("none" = checked)
    ranking: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, tracker: Tracker) -> Turn:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        metadata = message.get("metadata") or {}
        return cls(
            intent=intent.get("name"),
            confidence=float(intent.get("confidence") or 0.0),
            text=str(message.get("text") or ""),
            entities=tuple(e for e in message.get("entities") or [] if isinstance(e, dict)),
            safety=metadata.get("safety") if isinstance(metadata, dict) else None,
            ranking=tuple(message.get("intent_ranking") or ()),
        )

    @property
    def takes_back(self) -> bool:
        """Typed words that take a yes back ("undo that", "wait", "don't"): never a yes to
        a change, whatever NLU read."""
        return not self.is_payload and bool(_TAKES_BACK.search(self.text))

    @property
    def is_payload(self) -> bool:
        """A button payload (``/intent{...}``) rather than typed or spoken words."""
        return self.text.lstrip().startswith("/")

    def spans(self, *entities: str) -> list[tuple[int, int]]:
        """(start, end) of the entities tagged in the message (of ``entities`` only, if
        given)."""
        return [
            (int(e.get("start") or 0), int(e.get("end") or 0))
            for e in self.entities
            if not entities or e.get("entity") in entities
        ]

    def values(self, entity: str) -> list[tuple[str, int]]:
        """(value, start offset) of every ``entity`` in the message, in order."""
        found = [
            (str(e.get("value")), int(e.get("start") or 0))
            for e in self.entities
            if e.get("entity") == entity and e.get("value") not in (None, "")
        ]
        return sorted(found, key=lambda item: item[1])

    def value(self, entity: str) -> str | None:
        found = self.values(entity)
        return found[-1][0] if found else None


def task_slots(catalog: Catalog | None = None) -> tuple[str, ...]:
    return (catalog or default_catalog()).slot_names()


def all_slots(catalog: Catalog | None = None) -> tuple[str, ...]:
    return (*task_slots(catalog), *STATE_SLOTS, "requested_slot")


def reset(*, keep: tuple[str, ...] = (), loop: bool = True) -> Events:
    """Clear every task and bookkeeping slot except ``keep`` (and leave any form)."""
    events: Events = [ActiveLoop(None)] if loop else []
    return events + [SlotSet(name, None) for name in all_slots() if name not in keep]


def slots_set_this_turn(tracker: Tracker) -> dict[str, Any]:
    """Slots the latest message filled (the events after the last user event)."""
    found: dict[str, Any] = {}
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            found.setdefault(str(event.get("name")), event.get("value"))
    return found


def extracted_this_turn(tracker: Tracker) -> dict[str, Any]:
    """Slots the slot mappings filled from the latest message, before any action ran."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    found: dict[str, Any] = {}
    for event in events[last_user + 1 :]:
        if event.get("event") == "action":
            break
        if event.get("event") == "slot":
            found[str(event.get("name"))] = event.get("value")
    return found


def set_by_actions_this_turn(tracker: Tracker) -> dict[str, Any]:
    """Slots the first action after the latest message set, up to the form it opened (a
    follow-up that opened a form with the details meant); neither the slot mappings'
    extractions (before it, and again as the form opens) nor the form's candidates."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    first = next(
        (i for i, e in enumerate(events) if i > last_user and e.get("event") == "action"), None
    )
    found: dict[str, Any] = {}
    for event in events[first + 1 :] if first is not None else []:
        if event.get("event") in ("action", "followup"):
            break
        if event.get("event") == "slot":
            found[str(event.get("name"))] = event.get("value")
    return found


def slots_before_turn(tracker: Tracker) -> dict[str, Any]:
    """Every slot's value before the latest user message (replayed from this session).

    The action server gets only the events of the last few turns (``history_turns`` in
    ``rasa_ext.fastpath``), so a slot that no event of them sets or clears kept, before the
    latest message, the value it has now: a booking's patient given seven messages ago is
    still the booking's when a question interrupts it (it was stashed without them)."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    touched = {str(e.get("name")) for e in events if e.get("event") == "slot"}
    cleared = any(e.get("event") in _CLEARS_ALL for e in events)
    values: dict[str, Any] = (
        {}
        if cleared
        else {k: v for k, v in tracker.slots.items() if k not in touched and v is not None}
    )
    for event in events[: max(last_user, 0)]:
        kind = event.get("event")
        if kind in _CLEARS_ALL:
            values = {}
        elif kind == "slot":
            values[str(event.get("name"))] = event.get("value")
    return values


# events after which every slot starts empty
_CLEARS_ALL = ("session_started", "restart", "reset_slots")


def active_form(tracker: Tracker) -> Form | None:
    return default_catalog().form((tracker.active_loop or {}).get("name"))


def pending_intent(pending: Any) -> str | None:
    """``'book_appointment:offer'`` -> ``'book_appointment'``; None for anything else."""
    if not isinstance(pending, str) or ":" not in pending:
        return None
    return pending.split(":", 1)[0]


def pending_step(pending: Any) -> str | None:
    if not isinstance(pending, str) or ":" not in pending:
        return None
    return pending.split(":", 1)[1]


def waits_on_choice(
    before: dict[str, Any], slot: str, steps: tuple[str, ...] = ("offer", "confirm")
) -> bool:
    """The task in hand (``pending`` in ``before``) has a form that takes ``slot`` and
    waits on one of ``steps`` (a slot offered, a confirmation)."""
    owner = default_catalog().find(pending_intent(before.get("pending")))
    if owner is None or owner.form is None or slot not in owner.form.required:
        return False
    return pending_step(before.get("pending")) in steps


def initials(name: str | None) -> str:
    """'Tom Adams' -> 'T.A.' (for naming a patient back in the minimum necessary way)."""
    parts = [p for p in (name or "").replace(",", " ").split() if p[:1].isalpha()]
    return "".join(f"{p[0].upper()}." for p in parts[:3])


YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
RESUME = "resume"  # `pending` while the offer to go back to a stashed task is open


def resume_offer(stash: Any) -> tuple[str, dict[str, Any]] | None:
    """("Shall we carry on booking for T.A.?", custom) for a stashed task, or None."""
    if not isinstance(stash, dict) or stash.get("quiet"):
        return None  # (a quiet stash is offered only when asked for: ``actions.flow``)
    form = default_catalog().form(stash.get("form"))
    if form is None or not form.resume:
        return None
    slots = stash.get("slots") or {}
    who = initials(slots.get("patient_name"))
    what = form.resume.replace("{patient}", who) if who else form.resume.split(" for {")[0]
    custom = {"phi": False, "kind": "resume_offer", "data": {"intent": form.intent}}
    return f"Shall we carry on with {what}?" if what.startswith("the ") else (
        f"Shall we carry on {what}?"
    ), custom


# bookkeeping a form needs back when it is resumed: emergency access is for one patient
RESUMED_STATE = {"breakglass_form": ("breakglass_patient",)}
# tasks whose action confirms again the record it was confirming when it was interrupted
# (``confirmed``, see ``actions.repatient.kept_slot``): a booking left at "Book ... at
# 09:40?" goes back to that question, not to the list of slots
RESUMED_AT_CONFIRM = frozenset({"book_appointment"})
STEP_STATE = ("confirmed",)  # dropped when a detail is changed on the way back


def stash_of(tracker: Tracker, form: Form, before: dict[str, Any]) -> dict[str, Any]:
    """What to keep of an interrupted task: its form and the values it had been given (and
    the record it was confirming, for a task that confirms it again when resumed)."""
    wanted = set(task_slots()) | set(RESUMED_STATE.get(form.name, ()))
    if form.intent in RESUMED_AT_CONFIRM and before.get("pending") == f"{form.intent}:confirm":
        wanted |= set(STEP_STATE)
    kept = {k: v for k, v in before.items() if k in wanted and v not in (None, "", [])}
    stash: dict[str, Any] = {"intent": form.intent, "form": form.name, "slots": kept}
    pending, offered = before.get("pending"), before.get("offered")
    if pending_intent(pending) == form.intent and isinstance(offered, dict):
        # what the task offered when it was interrupted: a pick of it said at the offer to
        # go back ("9:40 please") is read by that step (actions.resumestep); a plain yes
        # asks the form again, afresh
        stash["step"] = {"pending": pending, "offered": offered}
    return stash


MAX_MISSES = 3  # a question unanswered this often ends the form (see actions.forms)


def kept_after_giving_up(tracker: Tracker, intent: str, missed: str) -> Events:
    """A form that stopped after its question went unanswered three times: its values are
    kept quietly (``stash`` with ``missed``) for one message, so the answer said right
    after the stop ("tuesday") takes the task up again (``actions.flow.resume_quiet``)."""
    form = default_catalog().get(intent).form
    if form is None:
        return []
    before = {s: tracker.get_slot(s) for s in all_slots()}
    stash = {**stash_of(tracker, form, before), "quiet": True, "missed": missed}
    return [*reset(), SlotSet("stash", stash)]


def stands_for(failed: list[str], slot: str) -> bool:
    """A value not usable for one of ``failed`` was an answer to ``slot``'s question (a
    clinician stands for the clinic)."""
    return slot in failed or (slot == "department" and "clinician" in failed)


def next_miss(tracker: Tracker, requested: str) -> int:
    """How many times in a row ``requested`` has gone unanswered, this message included."""
    previous = tracker.get_slot("misses")
    if isinstance(previous, str) and previous.startswith(f"{requested}:"):
        tail = previous.rsplit(":", 1)[1]
        return int(tail) + 1 if tail.isdigit() else 1
    return 1


def gave_up_on(tracker: Tracker) -> str | None:
    """The slot whose question went unanswered ``MAX_MISSES`` times (the form ended)."""
    misses = tracker.get_slot("misses")
    if isinstance(misses, str) and ":" in misses:
        slot, _, count = misses.rpartition(":")
        if count.isdigit() and int(count) >= MAX_MISSES:
            return slot
    return None


def still_waiting(events: list[dict[str, Any]]) -> bool:
    """The task waits on the user: it opened a form or set a ``pending`` step."""
    opens = any(e.get("event") == "active_loop" and e.get("name") for e in events)
    waits = any(
        e.get("event") == "slot" and e.get("name") == "pending" and e.get("value") for e in events
    )
    return opens or waits


def finish(
    tracker: Tracker, events: list[dict[str, Any]], dispatcher: Any, intent: str
) -> list[dict[str, Any]]:
    """End of an action's turn. A task still waiting on the user (a ``pending`` step or a
    form it opened) keeps its slots; otherwise every task slot is cleared, whatever ended
    the task, and an interrupted task (``stash``) is offered again."""
    if still_waiting(events):
        return events
    stash = tracker.get_slot("stash")
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "stash":
            stash = event.get("value")
    # what the answered question was asked stays for a follow-up (actions.followup)
    remembered = [e for e in events if e.get("event") == "slot" and e.get("name") == "last_task"]
    done = [*events, *reset(keep=("stash",)), *remembered]
    offer = resume_offer(stash)
    if isinstance(stash, dict) and stash.get("quiet") and stash.get("missed"):
        return done  # a task just given up, kept for the answer said right after
    if isinstance(stash, dict) and stash.get("quiet") and stash.get("intent") != intent:
        return done  # kept quietly, not offered: "where were we?" may still ask for it
    if offer is None or (isinstance(stash, dict) and stash.get("intent") == intent):
        return [*done, SlotSet("stash", None)]
    text, custom = offer
    dispatcher.utter_message(text=text, buttons=YES_NO, json_message=custom)
    return [*done, SlotSet("pending", RESUME)]


def last_answer(tracker: Tracker) -> list[dict[str, Any]]:
    """The assistant's replies (``bot`` events) to the message before the latest one,
    newest first."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    answer: list[dict[str, Any]] = []
    for event in reversed(events[:last_user]):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot":
            answer.append(event)
    return answer


def typed_button(tracker: Tracker) -> tuple[str, dict[str, Any]] | None:
    """A button of the assistant's last answer typed as words instead of pressed ("Cancel
    them" under the list of bed watches): (its task intent, its details); None when the
    message is no button's title, or the button is an answer (yes/no) rather than a task."""
    text = str(tracker.latest_message.get("text") or "")
    said = " ".join(re.sub(r"[^\w\s']", " ", text).lower().split())
    if not said or text.lstrip().startswith("/"):
        return None
    for event in last_answer(tracker):
        for button in (event.get("data") or {}).get("buttons") or []:
            title = " ".join(re.sub(r"[^\w\s']", " ", str(button.get("title"))).lower().split())
            match = _PAYLOAD.match(str(button.get("payload") or ""))
            if title == said and match is not None:
                intent = default_catalog().find(match.group(1))
                if intent is None or not intent.is_task:
                    return None
                details = json.loads(match.group(2)) if match.group(2) else {}
                return intent.name, details if isinstance(details, dict) else {}
    return None


_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.S)
