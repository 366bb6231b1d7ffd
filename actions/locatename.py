"""A patient's name typed in lower case in a question about where they are ("where is
hamza campbell", "which bed is kerry demir in", "find ngozi price"): NLU tags names
mostly by their capitals, so "where is hamza campbell" opened the find with no name and
asked "What is the patient's full name?" - the name just typed. The words after the
question's lead, up to its end ("in", "on", "please", "?"), are read as the name when
they look like one (two to four words, none a word of a request).
"""

from __future__ import annotations

import re

from actions.state import Turn

_LEAD = (
    r"(?:where\s+is|where'?s|wheres|where\s+are|find|locate|look\s+up|search\s+for|"
    r"(?:which|what)\s+(?:bed|ward|room)\s+is|(?:which|what)\s+(?:bed|ward|room)'?s)"
)
_LOCATED = re.compile(
    rf"\b{_LEAD}\s+(?:patient\s+|pt\s+)?([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){{1,3}}?)\s*"
    r"(?:\b(?:in|on|at|now|please|pls|today|currently|then|right\s+now|mrn)\b|[?.!,]|\d|$)",
    re.I,
)
# words of a request, never of a name ("where is the porter", "find a free bed")
_NOT_NAME = frozenset(
    "a an the my our your his her their this that my me you it its is are was patient pt "
    "bed beds ward wards room porter request ticket job jobs free side isolation clinic "
    "appointment appointments slot slots list help desk doctor dr nurse someone somebody "
    "anyone everyone he she they them him who what which where when how and or for with "
    "next new same other another one".split()
)


def name_located(turn: Turn) -> str | None:
    """The name a where-is question types in lower case ("where is hamza campbell" ->
    "Hamza Campbell"), when NLU tagged no name or MRN; None otherwise."""
    if turn.is_payload or turn.values("patient_name") or turn.values("mrn"):
        return None
    for match in _LOCATED.finditer(turn.text):
        words = match.group(1).split()
        if any(word.lower() in _NOT_NAME for word in words):
            continue
        return " ".join(word[:1].upper() + word[1:] for word in words)
    return None
