"""What a porter's or housekeeper's words do to a job: take it, finish it, or give it back.

Giving back wins over finishing: "I can't finish HR-12, give it back" is not done. But
"dropped the patient off" is a finished job, while "drop HR-12" is one given back.
"""

from __future__ import annotations

import re

DONE = re.compile(
    r"\b(?:done|finished|finish|complete[d]?|sorted|dealt\s+with|did|delivered|"
    r"dropped\s+(?:\w+\s+){0,3}?off|cleaned|fixed|closed?|close\s+off)\b",
    re.I,
)
TAKE = re.compile(
    r"\b(?:take|taking|took|claim|grab|accept|i'?ll\s+do|i\s+will\s+do|on\s+my\s+way|"
    r"on\s+it|assign\s+(?:it\s+)?to\s+me|mine)\b",
    re.I,
)
# "drop HR-12" (never "drop him off"), "release it", "give it back", "hand HR-12 back",
# "unassign me", "put it back in the queue": a job given back, whatever NLU read
FIRM_RELEASE = re.compile(
    r"\bdrop(?:ping)?\s+(?:it|this|that|me|(?:the|this|that|my)\s+(?:one|job|task|ticket)|"
    r"hr[\s-]*\d+|ticket|job)\b(?!(?:\s+\w+){0,3}\s+off\b)|"
    r"\b(?:release|releasing|unassign|unclaim|un-?take)\b|"
    r"\b(?:give|giving|hand|handing)\s+(?:\S+\s+){0,3}?back\b|"
    r"\bback\s+(?:in|on|to|into)\s+the\s+(?:queue|list|pool)\b|\b(?:not|no\s+longer)\s+mine\b|"
    # "pt wasn't ready, put it back" (never "put him back in bed")
    r"\bput\s+(?:it|this|that|the\s+job)\s+back\b(?!\s+(?:in|on|to|into)\b(?!\s+the\s+"
    r"(?:queue|list|pool)))",
    re.I,
)
# and, once the words are known to be about a job: "I can't do it", "someone else can"
RELEASE = re.compile(
    FIRM_RELEASE.pattern + r"|\b(?:can'?t|cannot|can\s+not|won'?t|unable\s+to|not\s+able\s+to)\s+"
    r"(?:\w+\s+){0,2}?(?:do|take|manage|make|get\s+to)\b|\bsome(?:one|body)\s+else\b",
    re.I,
)
# "done", "all done", "I'm finished", "job done thanks": a finished job, or a goodbye
_BARE_DONE = re.compile(
    r"^\W*(?:(?:ok|okay|right|that'?s|i'?m|im|i\s+am|all|job|it'?s|that\s+one'?s)\s+)*"
    r"(?:done|finished|complete[d]?|sorted)(?:\s+(?:now|then|thanks|thank\s+you|cheers|it))*\W*$",
    re.I,
)
_NEXT = re.compile(r"\b(?:next|another|oldest|top)\b", re.I)
_URGENT = re.compile(r"\b(?:urgent|urgently|asap|stat|emergency)\b", re.I)
_A_JOB = re.compile(r"\b(?:jobs?|one|tasks?|tickets?|requests?)\b", re.I)
URGENT_PRIORITIES = ("urgent", "asap", "stat")


def job_verb(text: str) -> str | None:
    """'release', 'done', 'take' or None (the step the job is due)."""
    if RELEASE.search(text):
        return "release"
    if DONE.search(text):
        return "done"
    return "take" if TAKE.search(text) else None


def gives_back(text: str, *, firmly: bool = False) -> bool:
    """Words giving a job back; ``firmly``: in words that say so whatever NLU read them as
    ("can't do it", "someone else" only say so once the message is known to be a job's)."""
    return bool((FIRM_RELEASE if firmly else RELEASE).search(text))


def bare_done(text: str) -> bool:
    """'done', 'all done', "I'm finished": nothing named (NLU may read it as a goodbye)."""
    return bool(_BARE_DONE.search(text))


def wants_next(text: str) -> bool:
    """ "take the next one", "I'll take the next urgent job": the top of the queue."""
    return bool(_NEXT.search(text) and _A_JOB.search(text))


def urgent_said(text: str) -> bool:
    return bool(_URGENT.search(text))


# finishing words that say a job is done whatever else the message says (never "closed",
# "fixed", "cleaned": a bed's or a fault's state)
_FINISHED = re.compile(
    r"\b(?:done|finished|complete[d]?|dealt\s+with|delivered|dropped\s+(?:\w+\s+){0,3}?off)\b",
    re.I,
)


_DROPPED_OFF = re.compile(r"\bdropped\s+(?:\w+\s+){0,3}?off\b", re.I)
_THE_JOB = re.compile(r"\b(?:job|task|ticket|hr[\s-]*\d+|patient|him|her|them)\b", re.I)


def a_job_step(text: str) -> bool:
    """Words that take the next job, finish one or give one back ("take the next urgent
    one", "dropped him off", "I can't do that one, give it back"), which NLU may not have
    understood."""
    if text.rstrip().endswith("?"):
        return False  # a question is never a change
    if gives_back(text, firmly=True) or bare_done(text) or _DROPPED_OFF.search(text):
        return True
    if _FINISHED.search(text) and _THE_JOB.search(text):  # "finished that job", "done with HR-3"
        return True
    return bool(TAKE.search(text) and wants_next(text))
