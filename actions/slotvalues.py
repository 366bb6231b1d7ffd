"""One check per form slot: normalise what the user said, or explain why it is not usable.

A check returns the value to store (None: not usable), a reply explaining a miss (a value
the HMS does not know gets ``unknown_<thing>`` with the nearest known ones as buttons),
and other slots the same answer filled (an MRN given when the name was asked, "4B bed 12"
when the ward was asked). Infer functions read a detail from the words of a message when
NLU found no entity ("the printer is jammed" is IT; "not urgent" is routine).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from actions import directory
from actions.beds import bed_answer, bed_number, bed_status_code, says_own_ward
from actions.formats import MrnFormat
from actions.freetext import nonsense, only_priority
from actions.help import help_type_code, infer_help_type, infer_urgency, priority_code
from actions.state import blanked
from actions.timeparse import parse_time_preference, says_only_time
from actions.timespan import time_in
from actions.weekafter import says_later
from assistant.hms.errors import HmsError
from assistant.hms.protocol import HmsClient

NOT_NAMES = frozenset(
    "yes no yeah yep nope ok okay sure thanks thank cheers hi hello hey bye please sorry "
    "what why how which help stop cancel never mind".split()
)
# words no patient's name holds: a message with one is something else ("hmm let me check")
NEVER_IN_NAMES = frozenset(
    "let me check checking is are the my what where who why how which any could you we need "
    "want please hold wait hang minute moment hmm um er uh later now it that this does did "
    "have has not just think know about there here "
    # a pick among things shown, not a person ("the first one", "the last slot")
    "first second third fourth fifth last one ones earliest latest option slot".split()
)
_NAME_PREFIX = re.compile(
    r"^\s*(?:(?:it'?s|its|the|patient(?:'s)?|pt|name(?:\s+is)?|called|for|is|mr|mrs|ms|miss)\b[\s:,]*)+",
    re.I,
)
_FILLER_WORDS = (
    r"i|need|want|would|like|to|a|an|the|some|please|pls|can|could|you|get|send|me|us|"
    r"raise|log|request|requesting|help|ticket|job|on|in|at|for|with|ward|bed|bay|urgent|"
    r"urgently|asap|routine|stat|now|immediately|not|quick|quickly|soon|porter|porters|it|"
    r"housekeeping|maintenance|estates|cleaner|domestic|domestics|there|is|someone|somebody"
)
_FILLER = re.compile(rf"\b({_FILLER_WORDS})\b", re.I)


@dataclass(frozen=True)
class Reply:
    text: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    buttons: tuple[dict[str, str], ...] = ()

    def send(self, dispatcher: Any) -> None:
        dispatcher.utter_message(
            text=self.text,
            buttons=list(self.buttons),
            json_message={"phi": False, "kind": self.kind, "data": self.data},
        )


@dataclass(frozen=True)
class Check:
    value: Any
    reply: Reply | None = None
    also: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckContext:
    """What a check may use: settings-driven formats, the clock, a guarded HMS reader."""

    mrn: MrnFormat
    tz: str
    now: datetime
    slots: dict[str, Any]
    reader: Callable[[], Awaitable[HmsClient | None]]
    form: str | None = None  # the form asking (a help request may be for a place, no ward)


Checker = Callable[[Any, CheckContext], Awaitable[Check]]


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return " ".join(str(value or "").split())


def unknown(thing: str, said: str, suggestions: tuple[tuple[str, str], ...], slot: str) -> Reply:
    known = ", ".join(title for title, _ in suggestions)
    label = {"clinic": "a clinic", "clinician": "a clinician", "ward": "ward"}.get(thing, thing)
    lead = f"I don't know {label} '{said}'"
    hint = f" - did you mean {known}?" if suggestions else "."
    if thing == "ward" and suggestions:  # every ward, the nearest first
        hint = f". Wards here are {known}."
    elif thing == "clinic" and len(suggestions) > directory.MAX_SUGGESTIONS:
        hint = f". Clinics here are {known}."  # none was near: all of them
    return Reply(
        text=f"{lead}{hint}",
        kind=f"unknown_{thing}",
        data={"value": said, "suggestions": [v for _, v in suggestions]},
        buttons=tuple(
            {"title": title, "payload": f'/inform{{"{slot}":"{value}"}}'}
            for title, value in suggestions
        ),
    )


def name_beside(text: str, spans: list[tuple[int, int]]) -> str | None:
    """The patient's name said beside other details while the name is asked ("Ngozi
    Price, neurology, friday pm"): what is left once the tagged values and the commas
    around them are taken out, when that is a name of two words or more."""
    rest = " ".join(re.split(r"\s*[,;/]\s*|\s+(?:and|on|at|in|into)\s+", blanked(text, spans)))
    rest = " ".join(rest.split())
    name = _name(rest) if rest and not nonsense(rest) else None
    return name if name and len(name.split()) >= 2 else None


def didnt_get(slot: str, hint: str = "") -> Reply:
    return Reply(
        f"Sorry, I didn't get that.{(' ' + hint) if hint else ''}",
        f"invalid_{slot}",
        {"slot": slot},
    )


def _name(said: str) -> str | None:
    name = " ".join(_NAME_PREFIX.sub("", said).replace(",", " ").split()).strip(" .?!")
    words = [w for w in name.split() if w.strip("'-").isalpha()]
    if not words or len(name) < 2 or all(w.lower() in NOT_NAMES for w in words):
        return None
    if any(w.lower().strip("'-?.!") in NEVER_IN_NAMES for w in name.split()):
        return None
    if any(ch.isdigit() for ch in name):
        return None
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in name.split())


# words of an answer that is no name ("no idea", "I don't have it", "not sure, sorry")
_EVERYDAY = frozenset(
    "a an the i you we it is no not don dont t have has had idea sure know sorry yes ok okay "
    "later what why wait hang on cancel stop never mind please thanks thank check let me "
    "one moment sec second minute".split()
)


def patient_name_in(said: str) -> str | None:
    """A full name said on its own (two to four words, no digits, no everyday words:
    "no idea", "I don't have it" are no names), or None."""
    name = _name(said)
    words = name.lower().replace("'", " ").split() if name is not None else []
    if not 2 <= len(words) <= 4 or any(w in _EVERYDAY for w in words):
        return None
    return name


async def check_patient_name(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    if ctx.mrn.is_mrn(said):
        return Check(None, also={"mrn": ctx.mrn.find(said)})  # the MRN came first: fine
    name = None if nonsense(said) else _name(said)  # "blah", "asdfgh": no name
    if name is None and _MEANS_AN_MRN.search(said):
        # "MRN 1234": an MRN meant, not of the hospital's form - say what one looks like
        return Check(None, not_an_mrn(ctx))
    if name is None:
        return Check(None, didnt_get("patient_name", "What is the patient's full name?"))
    return Check(name)


# "mrn 1234", "hospital number 12-34", "1234": an identifier meant rather than a name
_MEANS_AN_MRN = re.compile(
    r"\b(?:mrn|hospital\s+(?:no|number)|h\s*no|nhs)\b|^\W*[\d\s-]+\W*$", re.I
)


def not_an_mrn(ctx: CheckContext) -> Reply:
    return Reply(
        f"That doesn't look like an MRN: an MRN here is {ctx.mrn.describe()}.",
        "invalid_mrn",
        {"slot": "mrn", "format": ctx.mrn.describe()},
    )


async def check_mrn(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    mrn = ctx.mrn.find(said)
    if mrn is not None:
        return Check(mrn)
    name = _name(said)
    if name is not None and len(name.split()) >= 2 and not ctx.slots.get("patient_name"):
        return Check(None, also={"patient_name": name})  # the name came first: fine
    return Check(None, not_an_mrn(ctx))


MINE = "mine"  # the signed-in user's own ward / clinic (resolved by the action)


def says_nothing(said: str) -> bool:
    """ "yes", "ok", "no thanks": no value at all (not a ward or a clinic we don't know)."""
    words = re.findall(r"[a-z']+", said.lower())
    return (
        bool(words) and not any(ch.isdigit() for ch in said) and all(w in NOT_NAMES for w in words)
    )


def mashed(said: str) -> bool:
    """Keyboard mash or filler ("asdf", "hmm qwerty") that names no ward or clinic the HMS
    has: not understood, not an unknown ward ("I don't know ward 'hmmasdf'")."""
    from actions.fallback import nonsense  # (actions.fallback imports this module's users)

    return not any(ch.isdigit() for ch in said) and nonsense(said)


_NO_WARD_WORDS = re.compile(
    r"\W*(?:(?:and|now|what|about|how|again|then|so|well|hmm|um|er|still|yet|is|it|there|"
    r"anything|any|more|else|left|free)\W*)+",
    re.I,
)


# a correction around a ward typed as the answer: "sorry i mean 5d", "no, 4B not 4A"
_CORRECTING = re.compile(
    r"^\W*(?:(?:no+|nope|sorry|oops|wait|actually|i\s+mean[t]?|meant|i\s+said|make\s+(?:that|it)|"
    r"it'?s|it\s+is|should\s+(?:be|have\s+been)|correction)\b\W*)+",
    re.I,
)
_RULING_OUT = re.compile(r"\W*\b(?:not|instead\s+of|rather\s+than)\b.*$", re.I)


def corrected_ward(said: str) -> str:
    """The ward a correction names ("sorry i mean 5d" -> "5d", "4B not 4A" -> "4B");
    ``said`` when nothing is left without the correction's words."""
    meant = _RULING_OUT.sub("", _CORRECTING.sub("", said)).strip()
    return meant or said


async def check_ward(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    if not says_nothing(said):
        said = corrected_ward(said)
    if said.startswith("place:") and ctx.form == "request_help_form":
        return Check(said)  # a place that is no ward, found in the request's words
    if said == MINE or says_own_ward(said):  # "my ward"
        return Check(MINE)
    if says_nothing(said) or _NO_WARD_WORDS.fullmatch(said):
        # "and now?" while the ward is asked: no ward named (not "I don't know ward
        # 'andnow?'")
        return Check(None, didnt_get("ward", "Which ward? For example 4B or ICU."))
    ward_hint, number = bed_number(said)
    hms = await ctx.reader()
    if hms is None:
        return Check(said or None)
    try:
        wards = await hms.list_wards()
    except HmsError:
        return Check(said or None)
    target = ward_hint or said
    found = directory.resolve_ward(wards, target)
    if not found.known and ward_hint:
        found = directory.resolve_ward(wards, said)
    if not found.known and mashed(said):
        return Check(None, didnt_get("ward", "Which ward? For example 4B or ICU."))
    if not found.known and ctx.form == "request_help_form":
        from actions.helpplace import as_slot, place_said

        place = place_said(said)
        if place is not None:  # "pharmacy", "the lab": a help request for a place, no ward
            return Check(as_slot(place))
    if not found.known:
        named = directory.ward_said(ward_hint or said)  # "ward three" -> '3'
        return Check(None, unknown("ward", named, found.suggestions, "ward"))
    also = {"bed": number} if number and ward_hint and not ctx.slots.get("bed") else {}
    return Check(found.value, also=also)


async def check_department(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    if says_nothing(said):
        return Check(None, didnt_get("department", "Which clinic? For example cardiology."))
    hms = await ctx.reader()
    if hms is None:
        return Check(said or None)
    try:
        services = await hms.list_services()
    except HmsError:
        return Check(said or None)
    found = directory.resolve_clinic(services, said)
    if not found.known and mashed(said):
        return Check(None, didnt_get("department", "Which clinic? For example cardiology."))
    if not found.known:
        named = directory.clinic_words(said)  # "rheumatology then" -> 'rheumatology'
        if says_only_time(named, ctx.now, ctx.tz) and not ctx.slots.get("time"):
            # "actually make it the morning" while the clinic is asked: the time, taken; the
            # clinic asked again (it was "I don't know a clinic 'morning'", and after a
            # second miss the booking was dropped)
            return Check(None, also={"time": named})
        try:  # "Carter clinic": a clinician's clinic, named by the clinician
            person = await directory.find_clinician(hms, named)
        except HmsError:
            person = None
        if person is not None and person.known:
            return Check(None, also={"clinician": person.value})
        return Check(None, unknown("clinic", named, found.suggestions, "department"))
    return Check(found.value)


async def check_clinician(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    if said == MINE:
        return Check(MINE)
    hms = await ctx.reader()
    if hms is None:
        return Check(said or None)
    try:
        found = await directory.find_clinician(hms, said)
    except HmsError:
        return Check(said or None)
    if found.ambiguous:
        return Check(
            None,
            Reply(
                f"More than one clinician matches '{said}'. Which one?",
                "ambiguous_clinician",
                {"value": said, "suggestions": [v for _, v in found.suggestions]},
                tuple(
                    {"title": t, "payload": f'/inform{{"clinician":"{v}"}}'}
                    for t, v in found.suggestions
                ),
            ),
        )
    if not found.known:
        return Check(None, unknown("clinician", said, found.suggestions, "clinician"))
    return Check(found.value)


async def check_time(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    if parse_time_preference(said, ctx.now, ctx.tz):
        return Check(said)
    if ctx.form == "reschedule_appointment_form" and says_later(said):
        # "move her other neuro one to the week after": after the appointment being
        # moved, worked out once it is known (actions.reschedule) - it was "Sorry, I
        # didn't catch the time"
        return Check(said)
    return Check(
        None,
        Reply(
            "Sorry, I didn't catch the time. Try 'tomorrow', 'next Tuesday' or 'Monday at 2:30'.",
            "invalid_time",
            {"slot": "time"},
        ),
    )


# words NLU tags as a bed or ward when it is only named ("mark a bed as clean": "as")
_NO_VALUE = frozenset("a an as the it its this that one any some my our your bed beds ward".split())


def no_value_here(slot: str, raw: Any) -> bool | None:
    """For a bed or ward NLU tagged in a message that was not asked for it: True when the
    tagged words are only words that name no bed or ward ("a", "as", "the"); None for
    other slots."""
    if slot not in ("bed", "ward"):
        return None
    words = _text(raw).lower().split()
    return bool(words) and all(w.strip(".,?!") in _NO_VALUE for w in words)


async def check_bed(value: Any, ctx: CheckContext) -> Check:
    ward, number = bed_answer(_text(value))
    if number is None:
        return Check(None, didnt_get("bed", "Which bed number? For example 'bed 6'."))
    return Check(number, also={"ward": ward} if ward and not ctx.slots.get("ward") else {})


async def check_bed_status(value: Any, ctx: CheckContext) -> Check:
    code = bed_status_code(_text(value))
    if code is None:
        return Check(
            None,
            Reply(
                "The status can be free, occupied, needs cleaning, closed, contaminated or "
                "isolated.",
                "invalid_bed_status",
                {"slot": "bed_status"},
            ),
        )
    return Check(code)


async def check_help_type(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    code = help_type_code(said) or infer_help_type(said)
    if code is None:
        return Check(
            None,
            Reply(
                "I can ask for a porter, IT, housekeeping or maintenance.",
                "invalid_help_type",
                {"slot": "help_type"},
            ),
        )
    return Check(code)


async def check_urgency(value: Any, ctx: CheckContext) -> Check:
    said = _text(value)
    code = infer_urgency(said) or priority_code(said)
    if code is None:
        return Check(
            None,
            Reply(
                "Is it routine, urgent, or needed immediately?",
                "invalid_urgency",
                {"slot": "urgency"},
            ),
        )
    return Check(code)


# "yes", "ok", "sure" to "Briefly, what is needed?": no description (it was filed as one)
_ONLY_ACK = re.compile(
    r"^\W*(?:(?:yes|yeah|yep|yup|ok|okay|k|sure|fine|right|alright|please|thanks|thank\s+you|"
    r"ta|cheers|hi|hello)\W*)+$",
    re.I,
)


async def check_free_text(value: Any, ctx: CheckContext) -> Check:
    """A help request's description: words that say what is needed - not a yes, keyboard
    mash or filler ("asdfgh", "lol"), nor a priority alone ("urgent please")."""
    said = _text(value)
    priority = only_priority(said)
    if priority is not None:  # the priority the request has already ("not urgent after all")
        return Check(
            None,
            Reply(
                f"OK, it's {priority}. What is needed, in a few words?",
                "invalid_text",
                {"slot": "text"},
            ),
        )
    words = sum(ch.isalpha() for ch in said) >= 2 and not said.startswith("/")
    if not words or _ONLY_ACK.match(said) or nonsense(said):
        return Check(None, didnt_get("text", "Please tell me in a few words."))
    return Check(said[:500])


# "yes", "break glass", "go ahead", "ok carry on", "dunno" to "What is the reason for
# emergency access?": a wish to go on or no answer, not a reason (the access is recorded
# with its reason and reviewed: "ok carry on" would have granted it)
_NOT_A_REASON = re.compile(
    r"^\W*(?:(?:yes|yeah|yep|ok|okay|sure|please|go\s+ahead|do\s+it|proceed|confirm(?:ed)?|"
    r"use\s+it|i\s+do|break[\s-]*(?:the\s+)?glass|emergency\s+access|emergency|it'?s\s+an?\s+"
    r"emergency|carry\s+on|continue|go\s+on|fine|alright|all\s+right|right|cool|thanks|"
    r"thank\s+you|cheers|dunno|idk|no\s+idea|not\s+sure|n/?a|none|nothing|no\s+reason|"
    r"whatever|test(?:ing)?|just\s+because|because)\W*)+(?:please|now)?\W*$",
    re.I,
)


async def check_reason(value: Any, ctx: CheckContext) -> Check:
    """A break-glass reason: words that give one, not a yes or the words "break glass"."""
    from actions.breakglass import is_reason  # (actions.breakglass imports this module)

    said = _text(value)
    if said.startswith("/") or _NOT_A_REASON.match(said) or not is_reason(said):
        return Check(
            None,
            didnt_get(
                "breakglass_reason",
                "I need the reason in a few words, for example 'deteriorating, on-call "
                "review'. Or say cancel.",
            ),
        )
    return Check(said[:500])


CHECKS: dict[str, Checker] = {
    "patient_name": check_patient_name,
    "mrn": check_mrn,
    "ward": check_ward,
    "department": check_department,
    "clinician": check_clinician,
    "time": check_time,
    "bed": check_bed,
    "bed_status": check_bed_status,
    "help_type": check_help_type,
    "urgency": check_urgency,
    "help_description": check_free_text,
    "breakglass_reason": check_reason,
}


_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")  # "x-ray" is one word
_THERE_IS = re.compile(r"\bthere(?:'s|\s+is|\s+are)\s+(?:a\s+|an\s+|some\s+)?[a-z]{3,}", re.I)
_DESTINATION = re.compile(rf"\bto\s+(?:the\s+)?(?!(?:{_FILLER_WORDS})\b)[a-z][a-z'-]+", re.I)
# what the job is for ("for x-ray", "for a scan", "for theatre"): not "for bed 5", "for me"
_PURPOSE = re.compile(
    rf"\bfor\s+(?:(?:a|an|the|his|her|their)\s+)?(?!(?:{_FILLER_WORDS}|him|them)\b)"
    r"[a-z][a-z'-]+",
    re.I,
)


def describes(text: str, entity_spans: list[tuple[int, int]], words_needed: int = 2) -> bool:
    """True when a request's words describe the problem ("the printer on 4B is jammed"),
    not only ask for a kind of help ("I need a porter to ICU")."""
    kept = blanked(text, entity_spans)
    words = [w for w in _WORD.findall(_FILLER.sub(" ", kept.lower())) if len(w) > 1]
    # where to take someone or something ("to x-ray", "to the discharge lounge") or what for
    # ("for x-ray", "for a scan"): a place or purpose no entity named is the job's
    # description (a ward is an entity: "a porter to ICU" is not)
    # "there's a spill in bay 4", "there is water on the floor": a problem stated
    return (
        len(words) >= words_needed
        or bool(_DESTINATION.search(kept))
        or bool(_PURPOSE.search(kept))
        or bool(_THERE_IS.search(kept))
    )


def infer(slot: str, text: str, ctx: CheckContext) -> Any:
    """A value for ``slot`` read from plain words when NLU found no entity, or None."""
    if slot == "help_type":
        return infer_help_type(text)
    if slot == "urgency":
        return infer_urgency(text)
    if slot == "bed_status":
        return bed_status_code(text)
    if slot in ("mrn", "patient_name"):
        return ctx.mrn.find(text)  # digits or spoken digits of the hospital's MRN form
    if slot == "time":
        # only a time ("tomorrow morning"), or the time said in a request ("... asap")
        return text if says_only_time(text, ctx.now, ctx.tz) else time_in(text, ctx.now, ctx.tz)
    return None
