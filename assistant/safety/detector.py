"""``EmergencyDetector.assess(text)``: emergency | caution | none, and the emergency kind.

Evidence, strongest first:
1. a *live* strong lexicon cue (not negated, hypothetical or historical; not inside a
   benign phrase such as "chest pain clinic") -> emergency of the cue's kind;
2. the classifier's probability >= ``high`` with no negated cue and no benign phrase in
   a message of at least ``min_words`` words -> emergency (kind from a live cue, else the
   kind model; a character n-gram model is unreliable on two-word messages);
3. a strong cue that is hypothetical ("what do I do if there's a fire"), a live weak cue,
   or a probability >= ``low`` -> caution (the number is given, the conversation goes on);
4. otherwise none. A message whose only cues are negated ("no chest pain", "not an
   emergency") is none unless the classifier is very sure (then caution); so is one whose
   cues are only historical ("history of seizures", "had a fall last week").
The classifier alone (steps 2-3) decides nothing about a message of fewer than
``min_evidence`` content words (not stop words, not numbers or ward codes): a follow-up
fragment ("and in majors?", "and 7C?", "what about the ICU?") is a place, not a finding,
and its score comes from the few n-grams it shares with emergency examples. Of exactly
``fragment`` content words ("east wing", "car park": an answer naming a place), the
classifier alone gives a caution only when it would be sure enough for an emergency in a
longer message. Lexicon cues still count in any message ("choking!").

The assessment holds no message text (it may be PHI), only the level, kind and reason.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from assistant.safety.classifier import EmergencyClassifier, default_training
from assistant.safety.lexicon import GENERAL, LEXICON, Lexicon, load_lexicon
from assistant.safety.pipeline import Cue, build_nlp, cues, ruler_gate

log = logging.getLogger(__name__)

Level = Literal["emergency", "caution", "none"]
EMERGENCY: Level = "emergency"
CAUTION: Level = "caution"
NONE: Level = "none"
_PAYLOAD = re.compile(r"^/[A-Za-z_]+(\{.*\})?$", re.S)
MAX_CHARS = 2000  # longer text is assessed in its first and last part (REST caps at 2,000)


@dataclass(frozen=True)
class Thresholds:
    high: float = 0.70  # classifier alone: emergency (chosen in bench/safety.py)
    low: float = 0.45  # classifier alone: caution
    negated: float = 0.95  # only negated/benign cues: caution above this
    min_words: int = 3  # the classifier alone never makes an emergency of fewer words
    min_evidence: int = 2  # ... nor an emergency or a caution of fewer content words
    fragment: int = 2  # ... and of this many content words, a caution only above ``high``


@dataclass(frozen=True)
class Assessment:
    level: Level
    kind: str | None = None
    reason: str = ""
    score: float = 0.0

    @property
    def is_emergency(self) -> bool:
        return self.level == EMERGENCY


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_CHARS:
        return text
    half = MAX_CHARS // 2
    return f"{text[:half]} . {text[-half:]}"


class EmergencyDetector:
    def __init__(
        self,
        lexicon: Lexicon,
        classifier: EmergencyClassifier,
        thresholds: Thresholds = Thresholds(),
        nlp: Any = None,
        common_words: Mapping[str, int] | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.classifier = classifier
        self.thresholds = thresholds
        self.nlp = nlp if nlp is not None else build_nlp(lexicon)
        # most messages hold no word any cue needs: then no cue, without the pipeline
        gated = "entity_ruler" in self.nlp.pipe_names
        self.gate = ruler_gate(self.nlp, common_words) if gated else None

    def assess(self, text: str) -> Assessment:
        text = _clip(text)
        if not text or _PAYLOAD.match(text):  # empty, or a button payload ("/intent{...}")
            return Assessment(NONE, reason="payload" if text else "empty")
        found, benign = self.cues(text)
        score = self.classifier.p_emergency([text])[0]
        return self.decide(text, found, benign, score)

    def cues(self, text: str) -> tuple[list[Cue], bool]:
        """The lexicon cues of ``text`` and whether it holds a benign phrase."""
        doc = self.nlp.make_doc(text)
        if self.gate is not None and self.gate.isdisjoint(token.lower_ for token in doc):
            return [], False
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        return cues(doc)

    def decide(self, text: str, found: list[Cue], benign: bool, score: float) -> Assessment:
        t = self.thresholds
        live_strong = [c for c in found if c.strong and c.live]
        if live_strong:
            return Assessment(EMERGENCY, self._kind(text, live_strong), "cue", score)
        negated = any(c.negated for c in found)
        evidence = evidence_words(text)
        if evidence < t.min_evidence:
            score = 0.0  # too little said for the classifier to go on (see the module doc)
        if score >= t.high and not negated and not benign and len(text.split()) >= t.min_words:
            live = [c for c in found if c.live]
            return Assessment(EMERGENCY, self._kind(text, live), "classifier", score)
        context = [c for c in found if c.strong and c.hypothetical and not c.negated]
        if context:
            return Assessment(CAUTION, self._kind(text, context), "context", score)
        weak = [c for c in found if c.live and not c.strong]
        if weak:
            return Assessment(CAUTION, self._kind(text, weak), "weak_cue", score)
        limit = t.negated if (negated or benign) else t.low
        if evidence <= t.fragment:
            limit = max(limit, t.high)  # "east wing", "car park": a place, not a finding
        if score >= limit:
            return Assessment(CAUTION, self.classifier.kind(text), "classifier", score)
        return Assessment(NONE, None, "none", score)

    def _kind(self, text: str, found: Iterable[Cue]) -> str:
        named = [c.kind for c in found if c.kind != GENERAL]
        return named[0] if named else self.classifier.kind(text)


_WORD = re.compile(r"[a-z][a-z'&-]*")


def evidence_words(text: str) -> int:
    """Content words of ``text``: not stop words, numbers or codes with digits ("7C")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = _WORD.findall(" ".join(w for w in text.lower().split() if not any(map(str.isdigit, w))))
    return sum(1 for w in words if len(w) > 1 and w.strip("'") not in STOP_WORDS)


def build_detector(
    *,
    exclude_kinds: Iterable[str] = (),
    exclude_normal: Iterable[str] = (),
    thresholds: Thresholds = Thresholds(),
    nlp: Callable[[Lexicon], Any] = build_nlp,
) -> EmergencyDetector:
    """A detector from the committed data. ``exclude_kinds`` / ``exclude_normal`` leave
    kinds or normal messages out of it (measurement: bench/safety.py)."""
    excluded = tuple(exclude_kinds)
    lexicon = load_lexicon(LEXICON).without(excluded)
    training = default_training().without(excluded, exclude_normal)
    language = nlp(lexicon)
    common = Counter(t.lower_ for text in training.normal for t in language.make_doc(text))
    return EmergencyDetector(
        lexicon, EmergencyClassifier(training), thresholds, language, common_words=common
    )


@functools.cache
def default_detector() -> EmergencyDetector:
    """The process's detector, built on first use (about a second) and then shared."""
    detector = build_detector()
    log.info("safety net ready: %d emergency kinds", len(detector.lexicon.kinds) - 1)
    return detector
