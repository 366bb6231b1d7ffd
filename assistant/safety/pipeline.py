"""The spaCy pipeline of the safety net: blank English, no model download.

``sentencizer`` -> ``entity_ruler`` (lexicon cues and benign phrases; longest match wins)
-> three negspacy ``negex`` components, one per ConText-style modifier: negation (the
``en_clinical`` termset plus the lexicon's terms), hypothetical and historical (the
lexicon's terms only). Each sets its own span extension on the cue entities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.safety.lexicon import BENIGN, MODIFIERS, STRONG, WEAK, Lexicon, ruler_patterns

EXTENSIONS = {name: f"safety_{name}" for name in MODIFIERS}


def _termset(lexicon: Lexicon, name: str) -> dict[str, list[str]]:
    from negspacy.termsets import termset

    modifier = lexicon.context[name]
    base: dict[str, list[str]] = (
        termset("en_clinical").get_patterns()
        if name == "negation"
        else {
            "pseudo_negations": [],
            "preceding_negations": [],
            "following_negations": [],
            "termination": [],
        }
    )

    def merged(key: str, extra: tuple[str, ...]) -> list[str]:
        return sorted(set(base[key]) | {t.lower() for t in extra})

    return {
        "pseudo_negations": merged("pseudo_negations", modifier.pseudo),
        "preceding_negations": merged("preceding_negations", modifier.preceding),
        "following_negations": merged("following_negations", modifier.following),
        "termination": merged("termination", modifier.termination),
    }


def build_nlp(lexicon: Lexicon) -> Any:
    """A ``spacy.Language`` that marks cues and their context on ``doc.ents``."""
    import negspacy.negation  # noqa: F401  (registers the "negex" factory)
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler: Any = nlp.add_pipe("entity_ruler", config={"validate": True})

    def tokenize(text: str) -> list[str]:
        return [t.lower_ for t in nlp.make_doc(text)]

    ruler.add_patterns(ruler_patterns(lexicon, tokenize))
    for name in MODIFIERS:
        nlp.add_pipe(
            "negex",
            name=f"safety_{name}",
            config={
                "neg_termset": _termset(lexicon, name),
                "ent_types": [STRONG, WEAK],
                "extension_name": EXTENSIONS[name],
            },
        )
    return nlp


def ruler_gate(nlp: Any, common: Mapping[str, int] | None = None) -> frozenset[str] | None:
    """Words at least one of which a message must contain for any ruler pattern to match.

    Each token pattern has a token that must occur exactly once (no ``OP``) with its
    ``LOWER`` word(s); a message whose lower-cased tokens hold none of the words chosen
    (one such token per pattern) cannot match, so it has no cue and no benign phrase, and
    the pipeline need not run. ``None`` (no gate) when some pattern has no such token.
    ``common`` (word -> count in ordinary staff messages) picks each pattern's rarest
    token, so that few ordinary messages pass the gate."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words: set[str] = set()
    for pattern in nlp.get_pipe("entity_ruler").patterns:
        tokens = pattern["pattern"]
        if not isinstance(tokens, list):
            return None
        choices = []
        for token in tokens:
            lower = token.get("LOWER")
            if "OP" in token or set(token) != {"LOWER"}:
                continue
            if isinstance(lower, str):
                choices.append({lower})
            elif isinstance(lower, dict) and set(lower) == {"IN"}:
                choices.append(set(lower["IN"]))
        if not choices:
            return None
        # the most telling token: least common in ordinary messages, fewest stop words
        counts = common or {}
        words |= min(
            choices,
            key=lambda c: (sum(counts.get(w, 0) for w in c), len(c & STOP_WORDS), len(c)),
        )
    return frozenset(words)


@dataclass(frozen=True)
class Cue:
    """One lexicon cue found in a message (no text kept: it may be PHI-adjacent)."""

    kind: str
    strong: bool
    negated: bool
    hypothetical: bool
    historical: bool

    @property
    def live(self) -> bool:
        return not (self.negated or self.hypothetical or self.historical)


def cues(doc: Any) -> tuple[list[Cue], bool]:
    """The cues of a processed doc, and whether a benign phrase was found."""
    found = []
    benign = False
    for ent in doc.ents:
        if ent.label_ == BENIGN:
            benign = True
            continue
        if ent.label_ not in (STRONG, WEAK):
            continue
        found.append(
            Cue(
                kind=ent.ent_id_,
                strong=ent.label_ == STRONG,
                negated=bool(ent._.get(EXTENSIONS["negation"])),
                hypothetical=bool(ent._.get(EXTENSIONS["hypothetical"])),
                historical=bool(ent._.get(EXTENSIONS["historical"])),
            )
        )
    return found, benign
