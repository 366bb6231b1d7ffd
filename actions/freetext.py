"""What an answer to a free-text question is not, and words that only put a question off.

- nonsense: keyboard mash and filler ("asdfgh", "lol", "blah blah");
- a wait: "hang on", "one sec", "let me check" - the question stays open, not a miss;
- a priority alone: "no rush actually", "can wait till tomorrow", "urgent please" (a change
  of the priority, or nothing new - never a help request's description);
- an off-topic question ("what's for lunch?") or another task asked ("what are my
  requests?") instead of the description;
and what is one though NLU reads it as a no: something missing ("no hot water").

Used by the form validator (``actions.forms``, ``actions.reading``), the description's
check (``actions.slotvalues``) and the change of a filed request (``actions.amend``).
"""

from __future__ import annotations

import re
from typing import Any

from actions.help import infer_help_type, infer_urgency, priority_code
from actions.state import Turn
from intents.catalog import Catalog, Form

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_FILLERS = frozenset(
    {"blah", "bla", "la", "lol", "lmao", "haha", "hehe", "meh", "hmm", "hmmm", "erm", "umm", "um"}
)


def nonsense(text: str) -> bool:
    """Keyboard mash and filler ("asdfgh", "blah blah", "zzzz", "hmm", "lol")."""
    words = re.findall(r"[a-z]+", text.lower())
    if not words:
        return False

    def mash(word: str) -> bool:
        return (
            word in _FILLERS
            or (len(word) >= 3 and not re.search(r"[aeiouy]", word))
            or (len(word) >= 4 and any(word in row for row in _ROWS))
            or (len(word) >= 3 and len(set(word)) == 1)
        )

    return all(mash(w) for w in words)


# the whole message asks for a moment: "hang on", "one sec", "wait a minute", "let me check"
_MOMENT = r"(?:sec|second|secs|seconds|min|minute|mo|moment|tick|bit)"
_WAIT = re.compile(
    r"^\W*(?:(?:ok|okay|oh|um|er|erm|hmm+|ah|sorry|yes|yeah|right)\W+)*"
    r"(?:(?:hang|hold)\s+on|wait(?:\s+up)?|(?:just\s+)?(?:one|a|1)\s+" + _MOMENT + r"|"
    r"give\s+me\s+(?:a|one|1)\s+" + _MOMENT + r"|bear\s+with\s+me|just\s+a\s+" + _MOMENT + r"|"
    r"let\s+me\s+(?:check|look|see|think|find\s+out)|"
    r"(?:i'?ll|i\s+will)\s+(?:check|find\s+out|just\s+check)|brb|one\s+moment\s+please)"
    r"(?:\W+(?:(?:hang|hold)\s+on|wait|please|pls|thanks|a\s+" + _MOMENT + r"|"
    r"(?:one|a|1)\s+" + _MOMENT + r"|let\s+me\s+(?:check|look|see|think)|i'?m\s+checking|"
    r"checking))*\W*$",
    re.I,
)


def waits(turn: Turn) -> bool:
    """The message only asks for a moment ("hang on", "one sec", "hmm let me check"):
    the question asked stays open; it is neither its answer nor a miss."""
    return not turn.is_payload and not turn.entities and bool(_WAIT.search(turn.text))


def say_take_your_time(dispatcher: Any, slot: str | None = None) -> None:
    """The answer to a wait: nothing asked or changed, whatever is open stays open."""
    dispatcher.utter_message(
        text="OK, take your time." if slot else "OK, take your time - I'm here when you're ready.",
        json_message={"phi": False, "kind": "wait_ok", "data": {"slot": slot}},
    )


# words that name a priority, and the words around one in a change of it
PRIORITY_WORDS = re.compile(
    r"\b(?:not\s+|non-?\s*|isn'?t\s+|is\s+not\s+)?(?:urgent(?:ly)?|routine|asap|stat|"
    r"as\s+soon\s+as\s+possible|immediately|no\s+rush|no\s+hurry|whenever|high\s+priority|"
    r"low\s+priority|right\s+(?:now|away)|quickly|soon|normal|low|high|"
    r"(?:it\s+)?can\s+wait(?:\s+(?:till|until|til|for)\s+(?:the\s+)?(?:tomorrow|later|"
    r"morning|afternoon|evening|tonight|\w+day|a\s+bit|a\s+while))?)\b",
    re.I,
)
CHANGE_WORDS = re.compile(
    r"\b(?:no+|nope|wait|hang|on|sorry|oops|actually|i|meant?|my|mistake|please|pls|make|"
    r"change|mark|set|put|it'?s|that'?s|that|it|this|one|is|to|the|request|job|ticket|should|"
    r"be|can|could|you|as|instead|now|then|ok|okay|er|um|oh|after\s+all|really|fine|"
    r"alright|all\s+right|will\s+do|thanks|thank\s+you|in\s+fact|priority|any\s*more|"
    r"no\s+longer|longer|downgrade|upgrade|lower|raise|bump|up|down|drop|reduce|go|back|"
    r"needed)\b",
    re.I,
)
_FILLER = re.compile(r"\b(?:a|an|the|and|so|just|is|it|its|not|of|for|in|on|at)\b", re.I)


def only_priority(text: str) -> str | None:
    """The priority a message says when it says nothing else ("no sorry, routine is fine",
    "can wait till tomorrow", "it's urgent after all", "urgent please"); None otherwise."""
    found = PRIORITY_WORDS.search(text)
    said = infer_urgency(text) or (priority_code(found.group()) if found else None)
    if said is None:
        return None
    rest = PRIORITY_WORDS.sub(" ", re.sub(r"[^\w\s']", " ", text.lower()))
    rest = _FILLER.sub(" ", CHANGE_WORDS.sub(" ", rest))
    return None if re.findall(r"[a-z0-9]+", rest) else said


# a question put to the assistant, not a request put as one ("can someone ...?")
_ASKED = re.compile(
    r"\?\s*$|^\W*(?:(?:and|so|ok|okay|oh|hey|sorry|wait|btw)\W+)*(?:what|what'?s|whats|who|"
    r"who'?s|when|where|where'?s|why|how|which|is|are|was|were|do|does|did|any|have|has)\b",
    re.I,
)
_REQUEST_ASKED = re.compile(r"^\W*(?:can|could|would|will|please|pls|may)\b", re.I)


def asked_instead(turn: Turn) -> bool:
    """A question put instead of a description that is about something else: it names no
    kind of help ("what's for lunch?", "what are my requests?"). "can someone take her to
    x-ray?" and "is the tap still leaking" describe the job."""
    text = turn.text
    if turn.is_payload or _REQUEST_ASKED.search(text) or not _ASKED.search(text):
        return False
    return infer_help_type(text) is None


# "no hot water", "no soap in the dispenser": something missing, named right after "no" -
# a description NLU reads as a no; not "no thanks", "no, the porter came", "no need"
_LACK = re.compile(r"^\W*no\s+([a-z][a-z0-9' -]*?)\W*$", re.I)
_NOT_A_THING = frozenset(
    "the a an i i'm im we you he she they it it's its that that's this there is are was were has "
    "have had do does did don't dont not now later need needed needs longer more anymore thanks "
    "thank thx ta cheers ok okay fine worries problem problems way one ones sorry mistake wrong "
    "changed change matter stop cancel forget mind leave leaving all good sorted rush hurry just "
    "then please actually already done gone left went home here someone somebody nobody".split()
)
LACK_MAX_WORDS = 6


def names_a_lack(text: str) -> bool:
    """The message names something missing right after "no" ("no hot water"): a help
    request's description, though NLU reads it as a no."""
    found = _LACK.search(text)
    if found is None or len(text.split()) > LACK_MAX_WORDS:
        return False
    words = found.group(1).lower().split()
    return bool(words) and words[0] not in _NOT_A_THING and not _NOT_A_THING & set(words[1:2])


ASKED_TASK = 0.25  # a question NLU did not understand, this likely another task, leaves


def asks_off_topic(turn: Turn, form: Form, catalog: Catalog) -> bool:
    """In a free-text question: a question about something else put instead of the answer
    - one out of scope ("what's for lunch?": declined, the question asked again) or one NLU
    did not understand whose likeliest task is another ("what are my requests?": served,
    then the task offered back). Questions that name a kind of help describe the job."""
    if turn.intent not in ("out_of_scope", "nlu_fallback") or not asked_instead(turn):
        return False
    if turn.intent == "out_of_scope":
        return True
    for item in turn.ranking:
        task = catalog.find(item.get("name"))
        if task is not None and task.is_task and task.name not in (form.intent, "emergency"):
            return float(item.get("confidence") or 0) >= ASKED_TASK
    return False


def lack_answers(tracker: Any) -> tuple[str, str] | None:
    """(form, slot) when the latest message names something missing ("no hot water") while
    a form asks for a description: that is the answer, not a stop; else None."""
    from intents.catalog import default_catalog

    catalog = default_catalog()
    form = catalog.form(str((tracker.active_loop or {}).get("name") or ""))
    asked = str(tracker.get_slot("requested_slot") or "")
    if form is None or asked not in catalog.slot_names():
        return None
    spec = catalog.slot(asked)
    turn = Turn.of(tracker)
    if not spec.free_text or turn.is_payload or not names_a_lack(turn.text):
        return None
    return form.name, asked
