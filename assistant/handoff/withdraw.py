"""Does a message withdraw the requester's help-desk request? ("cancel", "never mind,
sorted it", "forget it", "I don't need help any more").

A spaCy ``Matcher`` over a blank English tokenizer, with the cue specs of the safety
lexicon's syntax (``assistant.safety.lexicon.compile_spec``). A message withdraws only
when withdraw phrases and filler words ("ok", "thanks", "actually", ...) make up the
whole of it: "cancel the booking for bed 4", "don't cancel, I still need help" or a "no"
answering the agent's question are relayed to the help desk as usual. (Rasa's
``stop``/``deny`` intents were not used: a bare "no" is ``deny``, and parsing would cost a
Rasa call for every relayed message.)
"""

from __future__ import annotations

import functools
import re
from typing import Any

from assistant.safety.lexicon import compile_spec

WITHDRAW = (
    "cancel (it|that|this|please)?",
    "cancel (the|my|this|that) (request|ticket|help request|call|help)",
    "(never mind|nevermind|nvm|no matter)",
    "forget (it|about it|that|about that|this)",
    "(sorted|solved|fixed|resolved|sorted out|figured out|worked out) (it|that)?",
    "(it's|it is|its|all|that's|got it|all now|everything's|everything is) "
    "(sorted|solved|fixed|resolved|fine|ok|okay|working|good|sorted out)",
    "(problem|issue|it|printer|computer|pc|login) (is|'s|has been)? "
    "(sorted|solved|fixed|resolved|working)",
    "(i|we) (do|does) n't need (help|the help desk|a person|anyone|someone|it|this) "
    "(any more|anymore|now|after all)?",
    "(i|we) (dont|do not) need (help|the help desk|a person|anyone|someone|it|this) "
    "(any more|anymore|now|after all)?",
    "(i|we) no longer need (help|the help desk|a person|anyone|someone|it|this)",
    "(no longer|not) needed",
    "(withdraw|close|drop|scrap|stop) (my|the|this)? (request|ticket)",
    # the handoff by what it asked for: "cancel the person thing", "scrap the help desk"
    "(cancel|withdraw|drop|scrap|stop) (the|my|this|that) (person|human|agent|help desk|"
    "helpdesk|live chat|chat|handoff) (thing|request|ticket|call|chat|bit|one)?",
    "(i|we) (do|does) n't need (the|a) (person|human|agent) (thing)? (any more|anymore|now)?",
    "(i|we) (dont|do not) need (the|a) (person|human|agent) (thing)? (any more|anymore|now)?",
    "(stop|quit|leave it|scrap that|drop it|don't worry|dont worry|no worries)",
    "(i'll|i will|we'll|we will) (manage|sort it|cope|sort it out|do it myself)",
    "(back to|go back to|talk to|return to) the (assistant|bot)",
    "no need",
)
FUZZY_FROM = 5
FUZZY2_FROM = 7
FILLER = frozenset(
    """ok okay oh ah right sorry thanks thank you thx ty thanx tnx cheers ta please pls
    actually just now
    anyway all good great its it's fine the help desk helpdesk for i we have has managed
    to myself ourselves , . ! - and so then bye in the end already my bad""".split()
)


@functools.cache
def _matcher() -> tuple[Any, Any]:
    import spacy
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab, validate=True)

    def tokenize(text: str) -> list[str]:
        return [t.lower_ for t in nlp.make_doc(text)]

    for index, spec in enumerate(WITHDRAW):
        matcher.add(f"withdraw_{index}", [_typos(p) for p in compile_spec(spec, tokenize)])
    return nlp, matcher


def _typos(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Typos: words of five or six letters match with one edit ("nevr mind", "forgt it"),
    longer ones with two ("probelm solved", "anymroe"), by spaCy's ``FUZZY1``/``FUZZY2``;
    shorter words and word lists stay exact."""
    out = []
    for token in pattern:
        word = token.get("LOWER")
        if isinstance(word, str) and len(word) >= FUZZY_FROM and word.isalpha():
            edits = "FUZZY2" if len(word) >= FUZZY2_FROM else "FUZZY1"
            token = {**token, "LOWER": {edits: word}}
        out.append(token)
    return out


def is_withdrawal(text: str) -> bool:
    """True when the whole message withdraws the request (see the module docstring)."""
    text = " ".join(text.split())
    if not text or len(text) > 120 or text.startswith("/"):
        return False
    nlp, matcher = _matcher()
    doc = nlp.make_doc(text)
    covered = [False] * len(doc)
    for _, start, end in matcher(doc):
        for i in range(start, end):
            covered[i] = True
    if not any(covered):
        return False
    return all(hit or token.lower_ in FILLER for hit, token in zip(covered, doc, strict=True))


_CLAUSE_END = re.compile(r"[,.;!?]+\s*|\s+-+\s+")
_STILL_WANTS_HELP = re.compile(
    r"\b(still|help ?desk|a person|someone|somebody|anyone|anybody|human|agent)\b", re.I
)


def withdrawal_then(text: str) -> str | None:
    """What follows a withdrawal that opens the message ("actually never mind, any free
    beds on 4B?" -> "any free beds on 4B?"): the request to answer once the help-desk
    request is withdrawn. None when the message is not a withdrawal followed by more, or
    when the rest is only more withdrawing or filler."""
    text = " ".join(text.split())
    if not text or text.startswith("/") or is_withdrawal(text):
        return None
    for end in _CLAUSE_END.finditer(text):
        head, rest = text[: end.start()], text[end.end() :].strip()
        if len(rest.split()) < 2:
            return None
        if is_withdrawal(head):
            # "cancel, I still need someone": not a withdrawal after all - relayed
            return None if _STILL_WANTS_HELP.search(rest) else rest
    return None
