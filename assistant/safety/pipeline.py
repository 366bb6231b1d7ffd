"""The spaCy pipeline of the safety net: blank English, no model download.

``sentencizer`` -> ``entity_ruler`` (lexicon cues and benign phrases; longest match wins)
-> three negspacy ``negex`` components, one per ConText-style modifier: negation (the
``en_clinical`` termset plus the lexicon's terms), hypothetical and historical (the
lexicon's terms only). Each sets its own span extension on the cue entities.
"""

from __future__ import annotations

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
