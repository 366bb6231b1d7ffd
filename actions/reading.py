"""How a form reads the message it gets: is it an answer or something else, which of
several values is meant ("4A not 4B"), and names or times NLU read as small talk.

Used by the catalog form validator (``actions.forms``).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.services import get_services
from actions.state import Turn, blanked
from actions.timeparse import parse_time_preference, says_only_time
from intents.catalog import Catalog, Form
from intents.phrases import DETAIL_SUBJECT

STOP_MAX_WORDS = 5  # "never mind", "no": short enough to leave a free-text question

# words that may stand around a bare answer ("4B please", "it's bed 6")
FILLER = re.compile(
    r"\b(ok|okay|yes|yeah|no|please|pls|thanks|it's|its|it|is|the|on|in|at|ward|bed|bay|"
    r"number|mrn|for|a|an|to|make|that|um|er|uh|sorry|actually|instead|of|not|and|then)\b",
    re.I,
)
DOCTOR = re.compile(r"\b(?:dr|doctor|consultant)\.?\s+([a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?)", re.I)
_NOT_NAMES = re.compile(
    r"\b(list|clinic|today|tomorrow|appointments?|please|next|this|on|for|in)\b.*$", re.I
)


def said_clinician(turn: Turn) -> str | None:
    """A clinician named in words NLU did not tag as one: "Dr Smithers", "doctor Okonkwo",
    or the person named in a request whose only people are clinicians (a clinic list)."""
    match = DOCTOR.search(turn.text)
    if match:
        name = _NOT_NAMES.sub("", re.sub(r"'s\b|'$", "", match.group(1))).strip()
        return f"Dr {name}" if name else None
    return turn.value("patient_name")


def answers_only(turn: Turn, slot: str | None, catalog: Catalog) -> bool:
    """The message is just a value for ``slot`` ("4B", "bed 6 please"), whatever its intent."""
    if not slot or slot not in catalog.slot_names():
        return False
    spans = turn.spans(*catalog.slot(slot).entities)
    if not spans:
        return False
    rest = blanked(turn.text, spans)
    return not re.findall(r"[a-z0-9]+", FILLER.sub(" ", rest.lower()))


# a statement that only gives details ("her MRN is 10643380", "the patient is Rhys Kaur",
# "it's for ward 7"): an answer to the question asked, however NLU reads it
_GIVES_DETAILS = re.compile(
    rf"^\W*(?:(?:and|also|oh|ok|okay|sorry|so|yes|yeah)\W+)*(?:{DETAIL_SUBJECT}"
    r"|(?:mrn|hospital\s+number)\b(?:\s+is)?|for\s+(?:patient|mr|mrs|ms|miss)\b)",
    re.I,
)


def gives_asked_detail(turn: Turn, slot: str | None, catalog: Catalog) -> bool:
    """ "her mrn is 10329456" while the MRN is asked (NLU: find_patient): a statement giving
    a value for the slot asked, not a new request."""
    if turn.is_payload or not slot or slot not in catalog.slot_names():
        return False
    if not any(turn.values(e) for e in catalog.slot(slot).entities):
        return False
    return bool(_GIVES_DETAILS.search(turn.text)) and not turn.text.rstrip().endswith("?")


# "actually forget that, is bed 7 free?", "never mind the booking - any beds on 4B?": the
# task in progress is called off first, then something else is asked
_CALLS_OFF_FIRST = re.compile(
    r"^\W*(?:(?:ok|okay|oh|actually|sorry|no|wait)\W+)*(?:forget\s+(?:it|that|this|the\s+\w+)"
    r"|never\s*mind(?:\s+(?:that|this|the\s+\w+))?|nvm|scrap\s+(?:it|that|this|the\s+\w+)"
    r"|cancel\s+(?:that|this|the\s+booking))\s*[,.;:!-]+\s*\w",
    re.I,
)


def calls_off_first(text: str) -> bool:
    """The message calls off the task in progress before asking something else."""
    return bool(_CALLS_OFF_FIRST.search(text))


STOPPISH = 0.25  # "no, cancel": not understood, but stopping is a close reading


# the whole message puts the task off ("later", "I'll do it later", "not now", "forget it,
# I'll sort it later"): stop it
_PUT_OFF = (
    r"(?:(?:maybe\s+)?later(?:\s+on)?|not\s+(?:right\s+)?now|another\s+time|some\s+other\s+time|"
    r"(?:i'?ll|i\s+will|let'?s|we'?ll)\s+(?:do|finish|sort|deal\s+with|come\s+back\s+to)\s+"
    r"(?:it|this|that)(?:\s+(?:out|myself))?\s+(?:later|another\s+time|myself)|"
    r"leave\s+it(?:\s+for\s+now)?|forget\s+(?:it|that|about\s+it)|never\s*mind|"
    r"(?:skip|scrap|drop|ditch|bin|cancel|abandon|abort)\s+(?:it|this|that)|don'?t\s+bother)"
)
_PUTS_OFF = re.compile(
    rf"^\W*(?:(?:ok|okay|actually|sorry|hmm|no|nah|oh|um|ah)\W+)*{_PUT_OFF}"
    rf"(?:\W+(?:and\s+|then\s+)?{_PUT_OFF})*"
    r"(?:\W+(?:thanks|thank\s+you|please|then|for\s+now|(?:it'?s|that'?s|all)\s+(?:fine|ok|okay|"
    r"alright|good|sorted)))*\W*$",
    re.I,
)


def puts_off(turn: Turn) -> bool:
    """The message only puts the task in progress off or calls it off ("later", "not now",
    "I'll do it later", "forget it"), whatever NLU read it as."""
    return not turn.is_payload and not turn.entities and bool(_PUTS_OFF.search(turn.text))


def stoppish(turn: Turn) -> bool:
    """A short message NLU could not place but that reads close to stopping."""
    if puts_off(turn):
        return True
    if turn.intent != "nlu_fallback" or len(turn.text.split()) > STOP_MAX_WORDS:
        return False
    if not _STOP_WORD.search(turn.text):
        return False  # nonsense ("blorp") may rank stop high, but says no stop
    return any(
        r.get("name") == "stop" and float(r.get("confidence") or 0) >= STOPPISH
        for r in turn.ranking
    )


# a word that says stop; without one, a message NLU could not place is no stop
# a no or a stop said as such, at the start ("no", "nah, leave it") or anywhere as a stop
# word ("ok never mind", "forget it", "cancel that")
_SAYS_NO = re.compile(
    r"^\W*(?:no+|nope|nah|naw)\b|\b(?:stop|cancel\w*|quit|forget|never\s*mind|leave\s+it|"
    r"abort|scrap|drop\s+it|don'?t\s+bother|no\s+thanks?|not\s+now|later)\b",
    re.I,
)


def says_no(text: str) -> bool:
    """The message says a no or a stop as such ("no", "never mind", "cancel that"), not
    only a "not" inside a statement ("light not working")."""
    return bool(_SAYS_NO.search(text))


_STOP_WORD = re.compile(
    r"\b(?:no+|nope|nah|stop|cancel\w*|quit|enough|forget|never|mind|leave|abort|scrap|drop|"
    r"don'?t|end|exit|halt|done|finished|wrong)\b",
    re.I,
)


def form_slots(form: Form) -> list[str]:
    """The slots a message may fill while ``form`` waits: its own, and the things that
    stand for one of them (a clinician for the clinic, a bed with its ward, an MRN for
    the patient's name)."""
    slots = list(form.required)
    if "department" in form.required:
        slots.append("clinician")
    if "ward" in form.required:
        slots.append("bed")
    if "patient_name" in form.required:
        slots.append("mrn")
    if form.intent == "reschedule_appointment":
        slots.append("department")  # "the cardiology one": which appointment to move
    if form.intent == "check_free_slots":
        slots.append("time")  # "fri pm", "after 3pm on tuesday": read whole, as a booking's
    return list(dict.fromkeys(slots))


# a message that changes what the form was given, whatever NLU read it as ("change that
# to dermatology" read as thanks, "move it to 2pm instead" as a new reschedule)
_CORRECTS = re.compile(
    r"\b(?:i meant|i mean|should (?:be|have been)|instead|rather than)\b"
    r"|\b(?:change|switch|swap|make|set|put|move)\s+(?:it|that|this|them|the\s+(?:clinic|"
    r"department|ward|time|day|date|bed|urgency|priority|patient|mrn|name|type|status|"
    r"doctor|clinician|consultant))\b",
    re.I,
)


def corrects(turn: Turn, form: Form, catalog: Catalog) -> bool:
    """The message corrects a slot of ``form``: it says so ("change that to", "make it",
    "I meant", "instead") and names a value the form takes."""
    if turn.is_payload or not _CORRECTS.search(turn.text):
        return False
    names = catalog.slot_names()
    return any(
        turn.values(entity)
        for slot in form_slots(form)
        if slot in names
        for entity in catalog.slot(slot).entities
    )


# how a short correction opens while a free-text question waits ("actually make it urgent",
# "sorry, ICU not 4B", "no, bed 14"); a bare "no" opens descriptions too ("no hot water")
_CUE = re.compile(
    r"^\W*(?:(?:oh|ah|um|er|ok|okay)\W+)?(?:actually|sorry|oops|wait|hang\s+on|i\s+meant|correction|no\s*[,.!-])",
    re.I,
)
CORRECTION_MAX_WORDS = 8


def corrects_in_free_text(turn: Turn, form: Form, catalog: Catalog, held: dict[str, Any]) -> bool:
    """While a free-text question waits (a description, a reason): a short message that
    says it changes a detail the form already holds, and names a different value for it,
    is that correction - not the text asked for."""
    if turn.is_payload or len(turn.text.split()) > CORRECTION_MAX_WORDS:
        return False
    from actions.freetext import only_priority  # (actions.help imports this module's users)
    from actions.help import infer_urgency

    held_urgency = held.get("urgency") if "urgency" in form_slots(form) else None
    said_urgency = only_priority(turn.text)
    if held_urgency and said_urgency and said_urgency != str(held_urgency).lower():
        return True  # "no rush actually", "can wait till tomorrow": only another priority
    if not (_CUE.search(turn.text) or _CORRECTS.search(turn.text)):
        return False

    names = catalog.slot_names()
    for slot in form_slots(form):
        if slot not in names or catalog.slot(slot).free_text or held.get(slot) in (None, ""):
            continue
        if slot == "urgency":  # read from the words, negation understood ("not urgent")
            said = [infer_urgency(turn.text)]
        else:
            said = [v for e in catalog.slot(slot).entities for v, _ in turn.values(e)]
        if any(v not in (None, "") and str(v).lower() != str(held[slot]).lower() for v in said):
            return True
    return False


# "is 4B bed 12 clean?", "has bed 6 been cleaned?", "bed 12 clean?": a question about how
# things are, which must never be taken as the order to make them so
_STATE_QUESTION = re.compile(
    r"^\s*(?:(?:and|so|ok|okay|hi|hey|sorry)[\s,]+)?(?:is|are|was|were|has|have|does|did)\b",
    re.I,
)
# "status of ICU bed 1", "what's the status of bed 2 on 4B": asked, not told
_STATUS_OF = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|sorry|hi|hey)\W+)?(?:(?:what'?s|what\s+is|whats|check)\s+)?"
    r"(?:the\s+)?(?:current\s+)?status\s+(?:of|for|on)\b",
    re.I,
)
_FOLLOW_UP = re.compile(r"^\s*(?:and|also|same|what about|how about)\b", re.I)
_POLITE_REQUEST = re.compile(r"^\s*(?:can|could|would|will|please|pls|kindly)\b", re.I)
_ORDER_VERB = re.compile(
    r"\b(?:mark|set|make|change|put|block|close|open|flag|update|switch|turn|move)\b", re.I
)


def asks_how_things_are(text: str) -> bool:
    """A yes/no question about a state ("is bed 12 clean?", "bed 12 clean?"), not an order
    ("mark bed 12 clean", "can you set bed 12 to closed?", "and bed 8?" after a change)."""
    if text.lstrip().startswith("/") or _ORDER_VERB.search(text):
        return False
    if _STATE_QUESTION.match(text) or _STATUS_OF.match(text):
        return True
    asked = text.rstrip().endswith("?")
    return asked and not _POLITE_REQUEST.match(text) and not _FOLLOW_UP.match(text)


SURE_TASK = 0.9  # a free-text answer is left only for a task NLU is this sure of
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:(?:hmm+|um+|erm*|oh|ok(?:ay)?|so|wait|sorry|(?:hang|hold)\s+on|btw|"
    r"quick\s+question)\b[\s,.!-]*)*(?:and\s+)?(?:any|is|are|where|who|what|when|which|can|"
    r"could|how)\b",
    re.I,
)


# a request put as an instruction ("show me free beds on 7", "check my help requests")
_INSTRUCTION = re.compile(
    r"^\W*(?:(?:ok|okay|actually|sorry|wait|hang\s+on|first|before\s+that|quickly|can\s+you|"
    r"could\s+you|please)\W+)*(?:show|list|check|find|look\s+up|pull\s+up|book|reschedule|"
    r"tell\s+me|give\s+me|let\s+me\s+(?:know|see)|what'?s|whats|who'?s|where'?s)\b"
    # a bed's status changed ("oh and reopen ICU bed 1"): an order, never a description
    r"|^\W*(?:(?:oh|and|also|ok|okay|actually|sorry|wait|please|can\s+you|could\s+you)\W+)*"
    r"(?:re-?open|close|block|unblock|free\s+up)\s+(?:\S+\s+){0,3}?bed\b",
    re.I,
)
LIKELY_TASK = 0.6  # an instruction this likely to be another task leaves a free-text answer


def asks_another_task(turn: Turn, form: Form, catalog: Catalog) -> bool:
    """In a free-text question: the message asks for another task ("any beds on 5C?",
    "where is bed 6", "show me free beds on 7") - NLU is sure of a task other than the
    form's and it is a question, or likely of it and it opens with an instruction ("show",
    "check", "find"). A statement ("bed 6 on 4B needs cleaning") stays the description,
    whatever NLU says."""
    intent = catalog.find(turn.intent)
    if intent is None or not intent.is_task or intent.name in (form.intent, "emergency"):
        return False
    asked = _QUESTION.search(turn.text) or _STATUS_OF.match(turn.text)
    if turn.confidence >= SURE_TASK and asked:
        return True  # "any beds on 5C?", "status of my requests"
    return turn.confidence >= LIKELY_TASK and bool(_INSTRUCTION.search(turn.text))


def is_interruption(turn: Turn, form: Form, requested: str | None, catalog: Catalog) -> bool:
    """Whether the message leaves the form's question (see the module doc)."""
    intent = catalog.find(turn.intent)
    if stoppish(turn):
        return True  # served by the fallback action, which stops the form
    if turn.is_payload:
        return intent is not None and intent.name not in ("inform", "affirm", "deny")
    spec = catalog.slot(requested) if requested in catalog.slot_names() else None
    if spec is not None and spec.free_text:
        from actions.freetext import names_a_lack
        from actions.reasons import not_a_reason

        said_no = turn.intent in ("stop", "deny") and not names_a_lack(turn.text)
        # the no must be said ("no", "never mind", "cancel"): "light not working",
        # "bins not emptied" read as a no by NLU are descriptions (they stopped the request)
        said_no = said_no and says_no(turn.text)
        if said_no and len(turn.text.split()) <= STOP_MAX_WORDS:
            return True  # "never mind", "no": not a description or a reason ("no hot water" is)
        if spec.reported and not_a_reason(turn, catalog):
            return True  # "get a porter to take him to CT", "and Hamza Campbell?": no reason
        if asks_another_task(turn, form, catalog):
            return True  # "any beds on 5C?" is a new question, not a reason or description
        from actions.freetext import asks_off_topic

        if not spec.reported and asks_off_topic(turn, form, catalog):
            return True  # "what's for lunch?" instead of a description (a reason may ask)
        # the gateway's safety net checked the message ("none", or "caution" already
        # answered): an NLU "emergency" reading of a reason or a description is not one
        return turn.intent == "emergency" and turn.safety not in ("none", "caution")
    if intent is None:
        # not understood: a question about something else ("wait, which bed is she in?"
        # while a clinic is asked) leaves the question; anything else may be its answer
        return asks_elsewhere(turn, form, requested, catalog)
    if intent.name == form.intent:
        return False
    if intent.name not in ("stop", "emergency", "talk_to_human") and corrects(turn, form, catalog):
        return False  # a correction of this form, however NLU read it
    if intent.name == "list_places" and not _ASKS_FOR_A_LIST.search(turn.text):
        return False  # "the cardiac ward" while a ward is asked: an answer, not "which wards?"
    if intent.is_task:
        # just a value for one of this form's slots ("4B please", "actually it's bed 14")
        slots = dict.fromkeys([requested, *form_slots(form)])
        if gives_asked_detail(turn, requested, catalog):
            return False  # "her mrn is 10329456" while the MRN is asked
        return not any(answers_only(turn, slot, catalog) for slot in slots)
    if intent.mid_form == "answer":
        return False
    if intent.mid_form == "chitchat" and (
        answers_anyway(turn, requested, catalog) or answers_time(turn, form)
    ):
        return False  # "tomorrow morning" read as a greeting, "Grace Thompson" as thanks
    return True


def asks_elsewhere(turn: Turn, form: Form, requested: str | None, catalog: Catalog) -> bool:
    """A message NLU did not understand that is put as a question, names nothing the form
    takes, and whose likeliest task is another one: a question of its own, not the answer."""
    if turn.intent != "nlu_fallback" or not _QUESTION.search(turn.text):
        return False
    if len(re.findall(r"[a-z]{2,}", turn.text.lower())) < 2:
        return False  # "?", "eh?": no question of its own - a miss of the one asked
    if any(
        turn.values(e)
        for slot in form_slots(form)
        if slot in catalog.slot_names()
        for e in catalog.slot(slot).entities
    ):
        return False
    if answers_anyway(turn, requested, catalog) or answers_time(turn, form):
        return False
    for item in turn.ranking:
        task = catalog.find(item.get("name"))
        if task is not None and task.is_task:
            return task.name != form.intent
    return False


# "which wards are there?", "list the clinics", "what departments can I book": asked
_ASKS_FOR_A_LIST = re.compile(
    r"\?|\b(?:which|what|list|show|name|names|how\s+many|tell\s+me|give\s+me|remind)\b", re.I
)


def answers_time(turn: Turn, form: Form) -> bool:
    """The message is only a time and the form takes one, whatever it asked."""
    if "time" not in form.required:
        return False
    services = get_services()
    return says_only_time(turn.text, services.clock(), services.settings.hospital_tz)


def answers_anyway(turn: Turn, requested: str | None, catalog: Catalog) -> bool:
    """Small talk by NLU's reading that still answers the question asked."""
    from actions.slotvalues import _name

    if requested == "patient_name":
        return _name(turn.text) is not None
    if requested == "urgency":  # "can wait till tomorrow" (NLU: out of scope)
        from actions.help import infer_urgency

        return infer_urgency(turn.text) is not None
    if requested == "time":
        services = get_services()
        now, tz = services.clock(), services.settings.hospital_tz
        return parse_time_preference(turn.text, now, tz) is not None
    spec = catalog.slot(requested) if requested in catalog.slot_names() else None
    return bool(spec and any(turn.values(e) for e in spec.entities))


_CORRECTION = re.compile(
    r"\b(not|instead|rather|actually|change|make it|wrong|sorry|i meant|i mean|wait|oops)\b"
    r"|^\s*no\b|\bno\s*[,.!-]",
    re.I,
)
# a cue between two values of one thing that makes the later one the meant one:
# "bed 12, sorry I mean bed 13", "4B - no wait, 4A", "Tuesday, or rather Thursday"
_MEANT_INSTEAD = re.compile(
    r"\b(?:sorry|i\s+mean|i\s+meant|wait|actually|oops|correction|scratch\s+that|"
    r"make\s+(?:that|it)|or\s+rather|rather)\b|\bno\s*[,.!-]",
    re.I,
)


def alternatives(turn: Turn, entity: str, extracted: Any) -> list[Any]:
    """The values of ``entity`` in the message, the one meant first (see
    ``resolve_correction``); without a correction cue, the extracted value first."""
    values = [v for v, _ in turn.values(entity)]
    meant = resolve_correction(turn, entity) if _CORRECTION.search(turn.text) else extracted
    ordered = [meant, extracted, *reversed(values)]
    return [v for v in dict.fromkeys(ordered) if v not in (None, "")]


def resolve_correction(turn: Turn, entity: str) -> str | None:
    """Of several values of one entity in a message, the one meant: "4A not 4B" -> 4A,
    "make it 4B instead of 4A" -> 4B, "change 4A to 4B" -> 4B."""
    return resolve_values(turn.text, turn.values(entity))


_RULED_OUT = re.compile(r"\b(?:not|instead\s+of|rather\s+than)\s+(?:the\s+|bed\s+|ward\s+)?$", re.I)


def ruled_out_values(turn: Turn) -> set[tuple[str, int]]:
    """(value, offset) of the entities said right after "not" / "instead of" ("bed 8 not
    7", "HDU not CCU"): what a correction rules out, never what it names."""
    return {
        (str(e.get("value")), int(e.get("start") or 0))
        for e in turn.entities
        if _RULED_OUT.search(turn.text[: int(e.get("start") or 0)])
    }


def only_ruled_out(turn: Turn, entities: list[str] | tuple[str, ...]) -> bool:
    """The message names values of ``entities`` only after "not" ("bed 8 not 7", NLU:
    ward 7), besides something else: none of them is meant."""
    said = [v for e in entities for v in turn.values(e)]
    ruled_out = ruled_out_values(turn)
    return bool(said) and all(v in ruled_out for v in said) and len(turn.entities) > len(said)


def resolve_values(text: str, values: list[tuple[str, int]]) -> str | None:
    """``resolve_correction`` on (value, offset) pairs found in ``text``."""
    if len(values) < 2:
        return values[0][0] if values else None
    text = text.lower()
    ordered = sorted(values, key=lambda v: v[1])
    meant = [
        value
        for (_, before), (value, start) in zip(ordered, ordered[1:], strict=False)
        if _MEANT_INSTEAD.search(text[before:start])
    ]
    if meant:
        return meant[-1]  # "bed 12, sorry I mean bed 13": the value said after the cue
    for value, start in values:
        if re.search(r"\b(to|make it|it's|its|should be)\s*$", text[:start]):
            return value
    kept = [
        (value, start)
        for value, start in values
        if not re.search(
            r"\b(not|instead of|rather than|from|than)\s*(?:(?:on|in|at|the)\s+)*$", text[:start]
        )
    ]
    return (kept or values)[0][0] if kept else values[-1][0]


def answered_already(tracker: Tracker, form: str) -> bool:
    """True when another action ran after the latest user message (small talk answered,
    the form re-opened by an action): the form is coming back, not reading the message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in (form, "action_listen"):
            return True
    return False


# what staff call the task in progress when they call it off ("cancel the booking" while
# booking is not a request to cancel an appointment)
TASK_NOUNS = {
    "book_appointment": r"booking|appointment|appt",
    "reschedule_appointment": r"move|reschedul\w*|rebooking|change",
    "cancel_appointment": r"cancell?ation",
    "request_help": r"request|porter|job|ticket|call",
    "update_bed_status": r"update|change|status\s+change|(?:bed\s+)?status|bed",
    "find_patient": r"search|look\s*up",
    "list_clinic_appointments": r"list",
    "list_ward_patients": r"list",
}
_CALL_OFF = r"(?:cancel|scrap|drop|abort|stop|forget(?:\s+about)?|ditch|bin)"


def calls_off(turn: Turn, intent: str | None) -> bool:
    """ "cancel the booking", "scrap this request", "forget the search": the message calls
    off the task in progress (``intent``), naming it and nothing else."""
    nouns = TASK_NOUNS.get(intent or "")
    if not nouns or turn.is_payload or turn.entities:
        return False
    pattern = (
        rf"^\W*(?:(?:no|ok|oh|actually|sorry|please|just)\W+)*{_CALL_OFF}\s+(?:the|this|that|my|"
        rf"it|that\s+new)?\s*(?:{nouns})s?\b(?:\s+(?:please|then|thanks|for\s+now|after\s+all))*\W*$"
    )
    return re.search(pattern, turn.text, re.I) is not None


def _words(text: str) -> set[str]:
    """The words of a person's name, titles left out."""
    return set(re.findall(r"[a-z'-]+", text.lower())) - {"dr", "doctor", "consultant"}


def drop_doctor(found: dict[str, Any], turn: Turn) -> None:
    """A doctor named in the message ("with Dr Nobody") is never the patient's name, though
    NLU may tag it as one: such names are taken out of ``found``'s patient_name."""
    doctor = said_clinician(turn) if DOCTOR.search(turn.text) else None
    names = found.get("patient_name")
    if doctor is None or not names:
        return
    kept = [n for n in (names if isinstance(names, list) else [names]) if n]
    kept = [n for n in kept if not _words(str(n)) <= _words(doctor)]
    if kept:
        found["patient_name"] = kept if isinstance(names, list) else kept[0]
    else:
        found.pop("patient_name", None)
