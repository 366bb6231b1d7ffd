"""The safety net's spaCy pipeline with medspacy's ConText instead of negspacy (bench only).

medspacy 1.3.1 needs spaCy < 3.8 and numpy < 2, so it cannot live in the application
environment; run the comparison in a separate environment:

    python3.11 -m venv /tmp/medvenv
    /tmp/medvenv/bin/pip install 'spacy==3.7.5' 'medspacy==1.3.1' scikit-learn PyYAML
    /tmp/medvenv/bin/python bench/safety.py --context medspacy

ConText runs with its default rules (negation, historical, hypothetical, family,
possible) plus the lexicon's own context terms as ConText rules; its flags are copied to
the extensions the detector reads, so the decision is the same code.
"""

from __future__ import annotations

from typing import Any

from assistant.safety.lexicon import MODIFIERS, Lexicon, ruler_patterns
from assistant.safety.pipeline import EXTENSIONS

CATEGORIES = {
    "negation": "NEGATED_EXISTENCE",
    "hypothetical": "HYPOTHETICAL",
    "historical": "HISTORICAL",
}
FLAGS = {"negation": "is_negated", "hypothetical": "is_hypothetical", "historical": "is_historical"}


def build_medspacy_nlp(lexicon: Lexicon, *, own_terms: bool = True) -> Any:
    import spacy
    from medspacy.context import ConTextRule
    from spacy.language import Language
    from spacy.tokens import Span

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler: Any = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(ruler_patterns(lexicon, lambda s: [t.lower_ for t in nlp.make_doc(s)]))
    context: Any = nlp.add_pipe("medspacy_context")
    if own_terms:
        rules = []
        for name in MODIFIERS:
            modifier = lexicon.context[name]
            rules += [
                ConTextRule(t, CATEGORIES[name], direction="FORWARD") for t in modifier.preceding
            ]
            rules += [
                ConTextRule(t, CATEGORIES[name], direction="BACKWARD") for t in modifier.following
            ]
            rules += [ConTextRule(t, "PSEUDO", direction="PSEUDO") for t in modifier.pseudo]
            rules += [
                ConTextRule(t, "TERMINATE", direction="TERMINATE") for t in modifier.termination
            ]
        context.add(rules)
    for ext in EXTENSIONS.values():
        if not Span.has_extension(ext):
            Span.set_extension(ext, default=False)

    @Language.component("safety_context_flags")
    def flags(doc: Any) -> Any:
        for ent in doc.ents:
            for name, ext in EXTENSIONS.items():
                ent._.set(ext, bool(getattr(ent._, FLAGS[name])))
        return doc

    nlp.add_pipe("safety_context_flags")
    return nlp
