"""What an answer to a free-text question is not, and words that only put a question off.

- nonsense: keyboard mash and filler ("asdfgh", "lol", "blah blah");
- a wait: "hang on", "one sec", "let me check" - the question stays open, not a miss;
- a priority alone: "no rush actually", "can wait till tomorrow", "urgent please" (a change
  of the priority, or nothing new - never a help request's description);
- an off-topic question ("what's for lunch?") or another task asked ("what are my
  requests?") instead of the description.

Used by the form validator (``actions.forms``, ``actions.reading``), the description's
check (``actions.slotvalues``) and the change of a filed request (``actions.amend``).
"""

from __future__ import annotations

import re

from actions.help import infer_help_type, infer_urgency, priority_code
from actions.state import Turn

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
    r"alright|all\s+right|will\s+do|thanks|thank\s+you|in\s+fact|priority)\b",
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
