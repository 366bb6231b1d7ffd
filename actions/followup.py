"""Follow-up questions: "and friday?", "what about ICU?" right after an answer.

A question the catalog marks ``follow_up`` (free beds, clinic and ward lists) leaves what
it was asked in the ``last_task`` slot when it is answered. A next message that only names
new details, with a follow-up cue ("and", "what about", "same for", "sorry,"), asks that
question again with those details changed and the rest kept.
A task that answered "I don't know ward '9'" (any ``unknown_<thing>`` reply) is remembered
the same way, marked with the slot it did not know, whether or not it is a follow-up
question: the next message that names that detail and nothing else ("ok on 4B then",
"sorry, 4B", the button) asks the same task again with it - a bed watch as much as a
free-bed question.
Any other message starts afresh (slot hygiene): ``last_task`` is cleared with every task
slot when the next request starts. It never holds a patient's name or MRN.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.reading import FILLER, only_ruled_out, resolve_values
from actions.retime import moves_the_booking
from actions.services import get_services
from actions.state import Turn, blanked, slots_before_turn, slots_set_this_turn, task_slots
from actions.steps import misses_before
from intents.catalog import Intent, default_catalog

# "and friday?", "what about ICU?"; or a correction of what was just asked ("sorry, 4B"
# after "I don't know ward 5")
_CUE = re.compile(
    r"^\s*(?:ok(?:ay)?\s*,?\s*)?(?:and|also|what\s+about|how\s+about|same\s+(?:again\s+)?for|"
    r"now|sorry|oops|i\s+meant?|actually|no(?:pe)?(?=\s*,)|not|wrong\s+(?:patient|person|one))\b",
    re.I,
)
_CUE_WORDS = re.compile(
    r"\b(?:and|also|what|how|about|same|again|for|now|then|there|oops|i|mean|meant|no|nope|"
    r"wrong|patient|person|not|only|just)\b",
    re.I,
)


def unknown_slot(kinds: list[str]) -> str | None:
    """The slot whose value a task did not know (its ``unknown_<thing>`` reply), or None;
    never a patient (an unknown patient is asked for again, not remembered)."""
    catalog = default_catalog()
    for kind in kinds:
        thing = kind.removeprefix("unknown_") if kind.startswith("unknown_") else None
        for spec in catalog.slots:
            if thing and spec.thing == thing and thing != "patient":
                return spec.name
    return None


def remember(
    intent: str,
    tracker: Tracker,
    events: list[dict[str, Any]],
    unknown: str | None = None,
    value: str | None = None,
) -> list[dict[str, Any]]:
    """The ``last_task`` event for an answered follow-up question, or for a task that did
    not know the value of the slot ``unknown`` (else nothing)."""
    spec = default_catalog().find(intent)
    if spec is None or not (spec.follow_up or unknown):
        return []
    values = {s: tracker.get_slot(s) for s in task_slots()}
    for event in events:
        if event.get("event") == "slot" and event.get("name") in values:
            if event.get("value") not in (None, ""):
                values[str(event["name"])] = event["value"]
    # never a patient's name or MRN: the bookkeeping slot outlives the answer
    catalog = default_catalog()
    kept = {
        k: v
        for k, v in values.items()
        if v not in (None, "", []) and catalog.slot(k).thing != "patient"
    }
    marker: dict[str, Any] = {}
    if unknown:  # the same value how many times in a row (not answered alike a third time)
        same = misses_before(tracker, intent, unknown, value) if value else 0
        marker = {"unknown": unknown, "missed": same + 1}
        if value:
            marker["missed_value"] = value
    # what a write changed, for taking it back after a correction (see ``corrects_a_write``);
    # what a question was asked beyond its own slots ("which beds need cleaning": the status);
    # what a list showed, to act on one item of it ("cancel the first one"): the beds, or a
    # patient's appointments with that patient (used only by a message naming a listed item,
    # never to answer another question)
    keys: tuple[str, ...] = ("undo", "changed", "asked", "listed", "listed_appointments")
    keys += ("patient", "located", "shown_slots", "clinic_listed", "on_ward")
    for key in keys:
        found = next(
            (
                e["value"][key]
                for e in events
                if e.get("event") == "slot"
                and e.get("name") == "last_task"
                and isinstance(e.get("value"), dict)
                and key in e["value"]
            ),
            None,
        )
        if found:
            marker[key] = found
    return [SlotSet("last_task", {"intent": intent, "slots": kept, **marker})]


def elliptical(turn: Turn, *, cue: bool = True, also: re.Pattern[str] | None = None) -> bool:
    """A follow-up cue and nothing but details: "and friday?", "what about ward 7?"; with
    ``cue=False`` details alone do ("ok on 4B then", "4B"); ``also``: more words that say
    nothing of their own."""
    if turn.is_payload or not turn.entities or (cue and not _CUE.search(turn.text)):
        return False
    rest = blanked(turn.text, turn.spans())
    rest = FILLER.sub(" ", _CUE_WORDS.sub(" ", rest.lower()))
    rest = also.sub(" ", rest) if also is not None else rest
    return not re.findall(r"[a-z0-9]+", rest)


# "which ones on 7", "where on ICU": a question narrowed to a ward, nothing else asked
_WHICH_ONES = re.compile(r"\b(?:which|where|ones?|of\s+them|them|those|show\s+me|list)\b")


def narrows(intent: Intent, turn: Turn) -> bool:
    """A ward alone ("ED", "maternity", "ICU?", "which ones on 7") right after a question's
    answer - for the whole hospital ("Beds waiting for cleaning hospital-wide: Ward 7: 1,
    ...") or another ward: the same question on that ward (NLU read "which ones on 7" as a
    list of the ward's patients). Never a change (a write is not repeated on a ward said
    alone)."""
    return (
        intent.read_only
        and "ward" in intent.entities
        and bool(turn.values("ward"))
        and {e.get("entity") for e in turn.entities} == {"ward"}
        and elliptical(turn, cue=False, also=_WHICH_ONES)
    )


def retry_payload(turn: Turn, intent: str) -> bool:
    """A button that answers the unknown value (``/inform{...}`` or the task's own)."""
    return turn.is_payload and turn.intent in ("inform", intent) and bool(turn.entities)


def named_details(tracker: Tracker, turn: Turn) -> dict[str, Any]:
    """The task slots the message names: those set from it, and entities of it that the
    slot mappings left (an answer NLU read as "affirm": "ok on 4B then")."""
    catalog = default_catalog()
    named = {
        k: v
        for k, v in slots_set_this_turn(tracker).items()
        if v not in (None, "") and k in catalog.slot_names()
    }
    for spec in catalog.slots:
        said = [v for e in spec.entities for v in turn.values(e)]
        if only_ruled_out(turn, spec.entities):
            # "bed 8 not 7" (NLU: ward 7): only what is ruled out, besides what is meant -
            # the slot is not named (it was Ward 7 Bed 8 instead of ICU Bed 8)
            if str(named.get(spec.name)) in {str(v) for v, _ in said}:
                named.pop(spec.name, None)
            continue
        if len(said) > 1:  # "not cardiology, dermatology": the one meant
            named[spec.name] = resolve_values(turn.text, sorted(said, key=lambda v: v[1]))
        elif spec.name not in named and said:
            named[spec.name] = said[-1][0]
    # a value inside another ("999998" read as an MRN inside the ticket "HR-999998")
    return {
        k: v
        for k, v in named.items()
        if not any(o != k and str(v) != str(w) and str(v) in str(w) for o, w in named.items())
    }


# "no wait, bed 4", "sorry, I meant bed 4" right after a write: a correction of it
_AFTER_WRITE = re.compile(
    r"^\W*(?:(?:no+|nope|wait|hang\s+on|oops|sorry|i\s+meant?|actually|my\s+mistake|"
    r"not\s+that\s+one|wrong\s+bed)\b\W*)+",
    re.I,
)


def corrects_the_last(tracker: Tracker, turn: Turn) -> bool:
    """Right after an answer kept for follow-ups (``last_task``), the message opens with a
    correction ("no wait, bed 4", "sorry, I meant bed 6")."""
    last = tracker.get_slot("last_task")
    return isinstance(last, dict) and not turn.is_payload and bool(_AFTER_WRITE.search(turn.text))


def corrects_a_write(tracker: Tracker, turn: Turn) -> bool:
    """Right after a write that can be taken back (``last_task.undo``), the message opens
    with a correction ("no wait, bed 4")."""
    last = tracker.get_slot("last_task")
    return (
        isinstance(last, dict)
        and isinstance(last.get("undo"), dict)
        and corrects_the_last(tracker, turn)
    )


_BED_WORD = re.compile(r"\b(?:bed|no\.?|number)\b", re.I)
# words around the number of a follow-up: "and 25 too", "wrong bed, it was 13", "should
# have been 13"
_AROUND_NUMBER = frozenset(
    (
        "too",
        "as",
        "well",
        "it",
        "was",
        "is",
        "its",
        "it's",
        "should",
        "have",
        "be",
        "been",
        "supposed",
        "to",
        "the",
        "one",
        "that",
    )
)


def bare_bed_number(turn: Turn, cue: re.Pattern[str] = _CUE) -> str | None:
    """The bed number of a follow-up that is only a cue and a number ("and 25", "and bed
    twenty five", "same for 12"), which NLU may not tag as a bed; None otherwise."""
    if turn.is_payload or not cue.search(turn.text):
        return None
    from actions.beds import bed_number  # (actions.beds imports this module's users)

    if any(e.get("entity") == "ward" for e in turn.entities) or re.search(
        r"\b(?:ward|unit)\b", turn.text, re.I
    ):
        return None  # "and ward 5": a ward, not bed 5
    rest = _CUE_WORDS.sub(" ", cue.sub(" ", turn.text, count=1))
    rest = FILLER.sub(" ", _BED_WORD.sub(" ", re.sub(r"[?.!,]", " ", rest)))
    words = [w for w in rest.replace("-", " ").split() if w.lower() not in _AROUND_NUMBER]
    if not words or len(words) > 3 or any(bed_number(w)[1] is None for w in words):
        return None  # only a number: digits or number words ("twenty five")
    ward, number = bed_number(" ".join(words))
    return number if ward is None else None


_ON_LISTED = ("cancel_appointment", "reschedule_appointment")
_CANCEL_VERB = re.compile(r"\b(?:cancel|scrap|drop|delete)\b", re.I)
_MOVE_VERB = re.compile(r"\b(?:move|reschedule|re-?book|push|bring\s+forward|change)\b", re.I)
_LISTED_ITEM = re.compile(
    r"\b(?:it|that|this|one|ones|first|second|third|fourth|last|both|all)\b|\d{1,2}[:.]\d\d",
    re.I,
)


def acts_on_a_listed_appointment(
    last: dict[str, Any], turn: Turn
) -> tuple[str, dict[str, Any]] | None:
    """("cancel_appointment" | "reschedule_appointment", details) for "cancel the first
    one", "move the 11:00 one to friday", "cancel it" right after a patient's appointments
    were listed: the same patient (re-checked by the form) and the listed appointments as the
    choice, so the task picks the one named (or asks which). None when the message names a
    patient, no listed item, or no cancel/move."""
    listed, patient = last.get("listed_appointments"), last.get("patient")
    if turn.is_payload or not isinstance(listed, dict) or not isinstance(patient, dict):
        return None
    if any(e.get("entity") in ("patient_name", "mrn") for e in turn.entities):
        return None  # another patient (or the same one named again): a request of its own
    intent = turn.intent if turn.intent in _ON_LISTED else None
    if intent is None and _CANCEL_VERB.search(turn.text):
        intent = "cancel_appointment"
    elif intent is None and _MOVE_VERB.search(turn.text):
        intent = "reschedule_appointment"
    if intent is None or not _LISTED_ITEM.search(turn.text):
        return None
    return intent, {**patient, "pending": f"{intent}:pick", "offered": listed}


def cleaned_listed_bed(last: dict[str, Any], turn: Turn) -> str | None:
    """The bed number of "done with bed 18", "18 is cleaned", "finished 25" when that bed
    was among those just listed waiting for cleaning (``last_task.listed``); else None."""
    from actions.beds import bed_status_code

    ends = _listed_ends(last)
    if not ends or not _may_change_a_listed_bed(turn) or bed_status_code(turn.text) != "U":
        return None
    numbers = _bed_numbers_said(turn, bare_digits=True)
    if len(numbers) != 1:
        return None
    number = numbers.pop()
    return number if number in ends else None


def changes_a_listed_bed(last: dict[str, Any], turn: Turn) -> tuple[str, str] | None:
    """(bed number, new status) of "close it" right after one bed was listed, or "block bed
    29" / "mark 29 as needs cleaning" naming a bed of the list; None otherwise (a question,
    no status, a ward named, a bed not listed)."""
    from actions.beds import bed_status_code

    ends = _listed_ends(last)
    if not ends or not _may_change_a_listed_bed(turn):
        return None
    code = bed_status_code(turn.text)
    if code is None:
        return None
    numbers = _bed_numbers_said(turn)
    if not numbers and len(ends) == 1 and _SAME_BED.search(turn.text):
        return ends[0], code  # "close it": the one bed listed
    index = None if numbers else _ordinal(turn.text, len(ends))
    if index is not None:  # "close the first one": that bed of the list
        return ends[index], code
    if len(numbers) == 1 and (number := numbers.pop()) in ends:
        return number, code
    return None


_BED_WRITES = ("update_bed_status", "nlu_fallback")


def ward_in_hand(intent: str, last: dict[str, Any]) -> str | None:
    """The one ward the last answer was about: a bed question's (``last_task.on_ward``)
    or the ward of the bed just changed."""
    if intent == "check_bed_availability":
        return last.get("on_ward")
    if intent == "update_bed_status":
        return (last.get("slots") or {}).get("ward")
    return None


# "both done", "all of them are clean", "finished them all", "they're all done"
_ALL_DONE = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|right|yes|yep)\W+)?(?:"
    r"(?:they(?:'re|\s+are)\s+)?(?:both|all)(?:\s+of\s+them)?\s+(?:are\s+|now\s+)?"
    r"(?:done|clean(?:ed)?|finished|ready)"
    r"|them\s+all\s+(?:are\s+)?(?:done|clean(?:ed)?)"
    r"|(?:done|cleaned|finished)\s+(?:both|them\s+all|all\s+of\s+them|the\s+lot|both\s+of\s+them)"
    r")\b",
    re.I,
)
SHOWN = 6  # a ward's bed list names at most six beds ("... and 3 more")


def cleans_every_listed_bed(last: dict[str, Any], turn: Turn) -> list[str]:
    """The bed numbers of "both done", "all of them are clean" right after the beds waiting
    for cleaning on one ward were listed (NLU: a goodbye - it said "Goodbye." and nothing
    was marked): every bed listed, when all were shown ("both" of two only); else empty."""
    asked = last.get("asked")
    status = asked.get("bed_status") if isinstance(asked, dict) else None
    if turn.is_payload or status != "H" or not last.get("on_ward"):
        return []
    ends = _listed_ends(last)
    if not ends or len(ends) > SHOWN or not _ALL_DONE.search(turn.text):
        return []
    if re.search(r"\bboth\b", turn.text, re.I) and len(ends) != 2:
        return []  # "both" of three beds: not guessed
    return ends


def listed_beds_cleaned(tracker: Tracker) -> tuple[str, list[str]] | None:
    """(ward, bed numbers) of "both done" right after a cleaning list (see
    ``cleans_every_listed_bed``), for the update that marks them all."""
    last = slots_before_turn(tracker).get("last_task")
    if not isinstance(last, dict) or last.get("intent") != "check_bed_availability":
        return None
    ends = cleans_every_listed_bed(last, Turn.of(tracker))
    return (str(last["on_ward"]), ends) if ends else None


def one_ward_of(beds: list[Any]) -> str | None:
    """The ward of the beds a "... anyway?" question is about (``confirmed.beds``), when
    they are all on one."""
    wards = {str(b.get("ward")) for b in beds if isinstance(b, dict) and b.get("ward")}
    return wards.pop() if len(wards) == 1 else None


def ward_of_the_last_answer(tracker: Tracker) -> str | None:
    """The one ward the conversation was just on, for a bed named without one ("block bed
    2" as the update's form opens): the ward of the beds a question "... anyway?" was
    about, of a bed question's answer, or of the bed just changed."""
    before = slots_before_turn(tracker)
    confirmed = before.get("confirmed")
    beds = confirmed.get("beds") if isinstance(confirmed, dict) else None
    if isinstance(beds, list) and beds:
        return one_ward_of(beds)
    last = before.get("last_task")
    return ward_in_hand(str(last.get("intent")), last) if isinstance(last, dict) else None


def changes_a_bed_on_the_ward(ward: str | None, turn: Turn) -> dict[str, str] | None:
    """The update of "bed 4 is done", "block bed 2" right after a bed question about one
    ward, or a bed changed there, when that bed was not listed: the bed on that ward (it
    was "Which ward?" - the ward had just been named). None for a question, a ward named,
    no status, no or several beds; the update still says which bed it changed and refuses
    an occupied bed as any update does."""
    from actions.beds import bed_status_code

    if not ward or turn.intent not in _BED_WRITES or not _may_change_a_listed_bed(turn):
        return None
    code = bed_status_code(turn.text)
    numbers = _bed_numbers_said(turn, bare_digits=turn.intent == "update_bed_status")
    several = len(set(re.findall(r"\b\d{1,3}\b", turn.text))) > 1  # "beds 4 and 5"
    if code is None or len(numbers) != 1 or several:
        return None
    return {"ward": str(ward), "bed": numbers.pop(), "bed_status": code}


_ORDINAL_ITEM = re.compile(r"\b(?:first|second|third|fourth|last|top)\b", re.I)


def _ordinal(text: str, count: int) -> int | None:
    """ "the first one", "the top one", "the last bed": an index into the list shown."""
    from actions.formats import ordinal_choice

    if not _ORDINAL_ITEM.search(text):
        return None
    return ordinal_choice(re.sub(r"\btop\b", "first", text, flags=re.I), count)


def _listed_ends(last: dict[str, Any]) -> list[str]:
    """The bed numbers of the beds the answer just before listed (``last_task.listed``)."""
    listed = last.get("listed")
    if not isinstance(listed, list):
        return []
    return [str(i).rsplit("-", 1)[-1].lstrip("0") for i in listed]


def _may_change_a_listed_bed(turn: Turn) -> bool:
    """Typed, no question ("is bed 18 clean?" never changes it), no ward named."""
    from actions.reading import asks_how_things_are

    if turn.is_payload or asks_how_things_are(turn.text) or turn.text.rstrip().endswith("?"):
        return False
    return not any(e.get("entity") == "ward" for e in turn.entities)


def _bed_numbers_said(turn: Turn, *, bare_digits: bool = False) -> set[str]:
    """The bed numbers the message names (``bare_digits``: any 1-3 digit number when it
    names no bed), leading zeros dropped."""
    from actions.beds import bed_number, said_beds

    said: list[str | None] = [n for n, _ in said_beds(turn.text)]
    said += [bed_number(v)[1] for v, _ in turn.values("bed")]
    if bare_digits and not said:
        said += re.findall(r"\b\d{1,3}\b", turn.text)
    return {str(n).lstrip("0") for n in said if n}


_SAME_BED = re.compile(r"\b(?:it|that|this|that\s+one|the\s+bed|again|back)\b", re.I)


def restated_status(turn: Turn) -> str | None:
    """The new status of a message that changes the bed just changed again ("reopen it",
    "actually make it dirty", "put it back to free"); None when it names another bed or
    ward, or asks for help ("can you get housekeeping to do it": a job, not a status)."""
    if turn.is_payload or any(
        e.get("entity") in ("bed", "ward", "help_type") for e in turn.entities
    ):
        return None
    from actions.beds import bed_status_code  # (actions.beds imports this module's users)

    if not _SAME_BED.search(turn.text) and len(turn.text.split()) > 3:
        return None
    code = bed_status_code(turn.text)
    if code is None and _OPEN.search(turn.text):
        return "U"  # "open it again", "open it back up": the bed reopened
    return code


_OPEN = re.compile(r"^\W*(?:(?:ok|okay|actually|now|please|can\s+you)\W+)*open\b", re.I)
# "and now?", "check again", "how many free now": the last bed question asked again
_AGAIN = re.compile(
    r"^\W*(?:(?:ok|okay|and|so|right|what\s+about|how\s+about)\W+)*(?:now|again|"
    r"(?:check|look|try|ask)\s+(?:it\s+|that\s+)?again|refresh|any\s+change|"
    r"how\s+many\s+(?:beds\s+)?(?:are\s+)?(?:free|left|available|empty)|"
    r"(?:any|which|what)\s+(?:beds\s+)?(?:are\s+)?(?:free|available))"
    r"(?:\s+(?:now|then|please|again|there))*\W*$",
    re.I,
)


def asks_again(tracker: Tracker, turn: Turn) -> tuple[str, dict[str, Any]] | None:
    """ "and now?", "check again", "how many are free now?" right after a bed question or
    a bed change: the question asked again (after a change: the free beds of its ward)."""
    last = tracker.get_slot("last_task")
    if turn.is_payload or turn.entities or not isinstance(last, dict):
        return None
    if not _AGAIN.search(turn.text):
        return None
    kept = dict(last.get("slots") or {})
    asked: dict[str, Any] = last["asked"] if isinstance(last.get("asked"), dict) else {}
    if last.get("intent") == "check_bed_availability":
        return "check_bed_availability", {**asked, **kept}
    if last.get("intent") == "update_bed_status" and kept.get("ward"):
        return "check_bed_availability", {"ward": kept["ward"]}
    return None


_AROUND_WARD = re.compile(
    r"\b(?:ok(?:ay)?|then|please|pls|sorry|try|what|how|about|and|on|in|the|it'?s|its|is|"
    r"i|mean|meant|actually|instead|no|not|that|one|there)\b",
    re.I,
)
_CODE = re.compile(r"^(?=[a-z]*\d)[a-z0-9]{1,4}$", re.I)  # "5C", "3", "12"


MINE = "mine"  # the user's own ward (as ``actions.slotvalues.MINE``, resolved by the action)
_OWN_WARD_ALONE = re.compile(
    r"^\W*(?:(?:ok|okay|and|also|what|how|about|then|now|so|same|again)\W+)*"
    r"(?:(?:on|in|for|at)\s+)?(?:my|our)\s+(?:own\s+)?(?:ward|unit)"
    r"(?:\W+(?:then|please|pls|too|as\s+well|now))*\W*$",
    re.I,
)


def own_ward_alone(intent: Intent, turn: Turn) -> bool:
    """Only the user's own ward, said after a question's answer ("on my ward", "what about
    my ward?"): a question (never a change) that takes a ward."""
    return (
        intent.read_only
        and intent.follow_up
        and "ward" in intent.entities
        and not turn.is_payload
        and not turn.entities
        and bool(_OWN_WARD_ALONE.match(turn.text))
    )


def untagged_ward(turn: Turn) -> str | None:
    """A message that only names a ward NLU did not tag - "ward 3", "5C", "what about ward
    nine", "the cardiac ward" - right after an unknown ward: that ward (perhaps unknown
    too); None for anything else."""
    if turn.is_payload or turn.entities:
        return None
    from actions.beds import said_ward  # (actions.beds imports this module's users)
    from actions.formats import small_number

    text = re.sub(r"[?.!,]", " ", turn.text)
    named = said_ward(text)
    rest = _AROUND_WARD.sub(" ", text)
    if named is not None:
        said = {w.lower() for w in named.split()} | {"ward", "unit"}
        return named if all(w.lower() in said for w in rest.split()) else None
    words = rest.split()
    if len(words) == 1 and _CODE.match(words[0]):
        return words[0].upper()
    if words and len(words) <= 2 and small_number(" ".join(words)) is not None:
        return str(small_number(" ".join(words)))
    return None


# a short answer that is no ward ("thanks", "no idea", "help")
_NO_WARD = frozenset(
    "ok okay yes yeah yep no nope thanks thank you cheers ta bye stop cancel quit help what "
    "why how which who where when idea dunno sure fine never mind forget it that this hi "
    "hello hey please pls sorry wait hang on hmm um er the a an any free beds bed ward".split()
)


def ward_in_a_word(turn: Turn) -> str | None:
    """A word or two that may name a ward ("cardiac", "coronary"), said alone right after
    an unknown ward and not understood: the ward answered (perhaps unknown again - said
    so, counted towards the third time - rather than "Sorry, I didn't get that")."""
    if turn.is_payload or turn.entities or turn.intent not in ("nlu_fallback", "inform"):
        return None
    words = re.findall(r"[a-z][a-z'&-]*", turn.text.lower())
    if not 1 <= len(words) <= 3 or re.search(r"[^\w\s'&?!.,-]", turn.text):
        return None
    if any(w in _NO_WARD for w in words) or len("".join(words)) < 3:
        return None
    from actions.freetext import nonsense  # (it imports this module's users)

    return None if nonsense(turn.text) else " ".join(words)


def untagged_ticket(turn: Turn) -> str | None:
    """A short message naming a ticket in a form staff use ("ticket 12345", "HR-42"),
    right after a ticket was not found; None otherwise."""
    if turn.is_payload or len(turn.text.split()) > 4:
        return None
    from actions.formats import TicketFormat
    from actions.services import get_services

    settings = get_services().settings
    found = TicketFormat(settings.ticket_prefixes, settings.ticket_digits).find(turn.text)
    return found[0] if found else None


def withdraws_booking(turn: Turn) -> bool:
    """'cancel it', 'scrap that', "actually I don't need it now" (NLU: a stop)."""
    from actions.helptasks import withdraws_filed

    return not turn.is_payload and withdraws_filed(turn.text or "")


BOOKING_STANDS = "That booking was already made and stands - say 'cancel it' to cancel it."


def booking_stands(tracker: Tracker) -> str | None:
    """After a booking, "never mind" / "forget it": the sentence that says the booking was
    made and how to cancel it (None when the last task was no booking)."""
    last = tracker.get_slot("last_task")
    if isinstance(last, dict) and last.get("intent") == "book_appointment":
        return BOOKING_STANDS
    return None


def follow_up(tracker: Tracker, turn: Turn) -> tuple[str, dict[str, Any]] | None:
    """(intent, details for asking it again) when the message follows up the last
    question or gives the value the last task did not know."""
    last = tracker.get_slot("last_task")
    if not isinstance(last, dict):
        return None
    on_listed = acts_on_a_listed_appointment(last, turn)
    if on_listed is not None:  # "cancel the first one" right after a patient's appointments
        return on_listed
    again = asks_again(tracker, turn)
    if again is not None:  # "and now?" right after a bed list or change
        return again
    from actions.watchmore import another_watch

    more = another_watch(last, turn)
    if more is not None:  # "and one on ICU too" right after a watch was set
        return more
    catalog = default_catalog()
    intent = catalog.find(last.get("intent"))
    if intent is None:
        return None
    if intent.name == "book_appointment" and withdraws_booking(turn):
        # "cancel it" right after "Booked: ...": that appointment, asked to confirm (it
        # was "OK." and nothing cancelled - read as an end of nothing in hand)
        return "cancel_appointment", dict(last.get("slots") or {})
    if intent.name == "book_appointment":  # "actually make it thursday": move the booking
        services = get_services()
        now, tz = services.clock(), services.settings.hospital_tz
        moved = moves_the_booking(last, turn.text, now, tz) if not turn.is_payload else None
        return ("reschedule_appointment", moved) if moved else None
    unknown = last.get("unknown") if last.get("unknown") in catalog.slot_names() else None
    kept = dict(last.get("slots") or {})
    if intent.follow_up and kept.get("bed") and corrects_the_last(tracker, turn):
        # "no wait, bed 4" right after bed 3 was changed (or was already so, or asked
        # about): the same for bed 4 (after a change, the action offers to put bed 3 back)
        named = named_details(tracker, turn)
        bed = bare_bed_number(turn, _AFTER_WRITE) or named.get("bed")
        if bed and set(named) <= {"bed", "ward"}:
            return intent.name, {**kept, **named, "bed": bed}
        if set(named) == {"ward"}:
            # "sorry I meant ward 4B", "no, CCU not HDU": the same bed on the ward meant
            return intent.name, {**kept, **named}
    status = restated_status(turn) if intent.name == "update_bed_status" else None
    if status is not None and kept.get("bed"):  # "reopen it" right after closing bed 3
        return intent.name, {**kept, "bed_status": status}
    every = cleans_every_listed_bed(last, turn) if intent.name == "check_bed_availability" else []
    if every:  # "both done" right after "ED has 2 beds waiting for cleaning: ..."
        return "update_bed_status", {
            "ward": last["on_ward"],
            "bed": every[0],
            "bed_status": "clean",
        }
    listed_on = kept.get("ward") or last.get("on_ward")  # "is bed 6 free?" on one's own ward
    cleaned = cleaned_listed_bed(last, turn) if intent.name == "check_bed_availability" else None
    if cleaned is not None and listed_on:
        # "done with bed 18" right after the beds waiting for cleaning were listed: that
        # bed is clean (only a bed listed: never an occupied bed freed by a slip)
        return "update_bed_status", {"ward": listed_on, "bed": cleaned, "bed_status": "clean"}
    changed = changes_a_listed_bed(last, turn) if intent.name == "check_bed_availability" else None
    if changed is not None and listed_on:
        # "close it" right after one free bed was listed or one bed asked about, "block bed
        # 29" after a list naming bed 29: that bed on the ward listed
        bed, status = changed
        return "update_bed_status", {"ward": listed_on, "bed": bed, "bed_status": status}
    on_ward = changes_a_bed_on_the_ward(ward_in_hand(intent.name, last), turn)
    if on_ward is not None:  # "bed 4 is done" right after "No beds waiting ... on Ward 4B"
        return "update_bed_status", on_ward
    number = bare_bed_number(turn) if intent.follow_up and kept.get("bed") else None
    if number is not None:  # "and 25" right after bed 18 on 4B: the same for bed 25
        return intent.name, {**kept, "bed": number}
    if own_ward_alone(intent, turn):
        # "on my ward" / "what about my ward?" right after a free-bed or ward question:
        # the same question on the user's own ward (it was "Sorry, I didn't get that")
        uses = {s.name for s in catalog.slots if set(s.entities) & set(intent.entities)}
        before = last["asked"] if isinstance(last.get("asked"), dict) else {}
        same = {k: v for k, v in {**before, **kept}.items() if k in uses and k != "bed"}
        return intent.name, {**same, "ward": MINE}
    # "5C" after an unknown ward; "and ward 5", "what about ward nine" after an answer
    cued = (
        intent.follow_up
        and "ward" in intent.entities
        and bool(_CUE.search(turn.text))
        and bool(re.search(r"\b(?:ward|unit)\b", turn.text, re.I))
    )
    loose = untagged_ward(turn) if unknown == "ward" or cued else None
    if loose is None and unknown == "ward":
        loose = ward_in_a_word(turn)  # "cardiac" again, "coronary": the ward answered
    ticket = untagged_ticket(turn) if unknown == "ticket_id" else None
    if ticket is not None:  # "ticket 12345" after "I couldn't find that ticket"
        return intent.name, {"ticket_id": ticket}
    if unknown is not None:
        if not (elliptical(turn, cue=False) or retry_payload(turn, intent.name) or loose):
            return None
    elif not intent.follow_up or not (elliptical(turn) or loose or narrows(intent, turn)):
        return None
    named = named_details(tracker, turn)
    if loose and "ward" not in named:
        named["ward"] = loose  # "ward 3", "5C": a ward NLU did not tag (perhaps unknown too)
    uses = {s.name for s in catalog.slots if set(s.entities) & set(intent.entities)}
    if not named or not set(named) <= uses:
        return None
    if not intent.follow_up and unknown not in named:
        return None  # a task that is no question is asked again only for what it lacked
    about = {s.name for s in catalog.slots if set(s.entities) & set(intent.subject)}
    patient = {s.name for s in catalog.slots if s.thing == "patient"}
    if about and about <= patient and not set(named) & patient:
        return None  # a question about a patient: the patient is never kept, so named anew
    if "ward" in named:
        kept.pop("bed", None)  # another ward: not the same bed number
    asked: dict[str, Any] = last["asked"] if isinstance(last.get("asked"), dict) else {}
    return intent.name, {**asked, **{k: v for k, v in kept.items() if k in uses}, **named}
