"""One message's emergency probability from the fitted scikit-learn model, without sklearn's
per-call machinery.

The detector's model (``assistant.safety.classifier``) is TF-IDF vectorizers side by side
(a ``FeatureUnion`` of word and character n-grams, each row L2-normalised on its own) and a
binary logistic regression. For one short message almost all of ``predict_proba``'s cost is
building sparse matrices and validating them, not arithmetic: this module keeps, per
vectorizer, each known n-gram's (idf, weight) in one dict and computes the same sum in
plain Python. Same n-grams (the vectorizer's own analyzer), same formula
(``tf = 1 + ln(count)`` when ``sublinear_tf``, times idf, L2 norm per block, weights
dotted, intercept added, logistic), so the same probability to rounding (a test compares it
with ``predict_proba`` on the training messages).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class _Block:
    analyze: Callable[[str], list[str]]
    terms: dict[str, tuple[float, float]]  # n-gram -> (idf, model weight)
    sublinear: bool


class LinearScorer:
    """``p(text)``: the positive class's probability of a fitted TF-IDF + logistic pipeline."""

    def __init__(self, union: Any, model: Any) -> None:
        if len(getattr(model, "classes_", ())) != 2:
            raise ValueError("the linear scorer takes a binary model")
        weights = model.coef_[0]
        blocks: list[_Block] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            if vectorizer.norm != "l2" or not vectorizer.use_idf:
                raise ValueError("the linear scorer takes L2-normalised TF-IDF features")
            idf = vectorizer.idf_
            terms = {
                term: (float(idf[j]), float(weights[offset + j]))
                for term, j in vectorizer.vocabulary_.items()
            }
            blocks.append(_Block(vectorizer.build_analyzer(), terms, vectorizer.sublinear_tf))
            offset += len(vectorizer.vocabulary_)
        if offset != len(weights):
            raise ValueError("the model's weights do not match the vectorizers' features")
        self._blocks = tuple(blocks)
        self._intercept = float(model.intercept_[0])

    def p(self, text: str) -> float:
        decision = self._intercept
        for block in self._blocks:
            known = [
                (n, block.terms[g])
                for g, n in Counter(block.analyze(text)).items()
                if g in block.terms
            ]
            if not known:
                continue
            values = [
                ((1.0 + math.log(n)) if block.sublinear else float(n)) * idf
                for n, (idf, _) in known
            ]
            norm = math.sqrt(sum(v * v for v in values))
            decision += sum(v * w for v, (_, (_, w)) in zip(values, known, strict=True)) / norm
        return _expit(decision)

    def many(self, texts: Sequence[str]) -> list[float]:
        return [self.p(text) for text in texts]


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
