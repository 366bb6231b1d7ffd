"""The safety net's emergency classifier (scikit-learn), trained from ``data/train.yml``
(emergency examples per kind, tricky normal messages) plus the normal examples of the Rasa
NLU data (``training_data/nlu``) as what staff ordinarily say.

Two small linear models over TF-IDF word (1-2) and character (2-5, word-bounded) n-grams:
``detect`` (emergency vs normal, on every message) and ``name_kind`` (which kind, used only
when no lexicon cue names one). Training takes well under a second and is deterministic
(liblinear with a fixed random state), so it happens in the process at first use;
nothing is downloaded and no pickled artefact is loaded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.safety.lexicon import DATA
from intents import yamlfile

log = logging.getLogger(__name__)

TRAIN = DATA / "train.yml"
NLU = Path(__file__).resolve().parents[2] / "training_data" / "nlu"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
NORMAL = "none"


@dataclass(frozen=True)
class TrainingSet:
    emergency: Mapping[str, tuple[str, ...]]  # kind -> examples
    normal: tuple[str, ...]

    def without(self, excluded: Iterable[str], normal: Iterable[str] = ()) -> TrainingSet:
        """Without some kinds' examples and some normal texts (measurement only)."""
        drop, held = set(excluded), set(normal)
        return TrainingSet(
            {k: v for k, v in self.emergency.items() if k not in drop},
            tuple(t for t in self.normal if t not in held),
        )


def load_examples(path: Path) -> TrainingSet:
    data = yamlfile.safe_load(path.read_text(encoding="utf-8")) or {}
    emergency = {
        str(kind): tuple(str(x) for x in examples or ())
        for kind, examples in (data.get("emergency") or {}).items()
    }
    return TrainingSet(emergency, tuple(str(x) for x in data.get("normal") or ()))


def nlu_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, plain text) of each example of a Rasa NLU file, annotations removed."""
    data = yamlfile.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in data.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append((str(block["intent"]), _ANNOTATION.sub(r"\1", line[2:]).strip()))
    return out


def nlu_normal(folder: Path = NLU) -> tuple[str, ...]:
    """The task/conversation examples of the Rasa NLU data: what staff normally say.

    The Rasa ``emergency`` examples are left out (they name no kind, and the
    leave-kinds-out measurement must be able to drop a kind's phrases).
    """
    if not folder.is_dir():
        log.warning("no Rasa NLU data at %s: the safety classifier uses its own only", folder)
        return ()
    return tuple(
        text
        for path in sorted(folder.glob("*.yml"))
        for intent, text in nlu_examples(path)
        if intent != "emergency" and text
    )


def default_training(path: Path = TRAIN, nlu: Path = NLU) -> TrainingSet:
    """``data/train.yml`` plus the normal messages of the Rasa NLU data as negatives."""
    own = load_examples(path)
    return TrainingSet(own.emergency, own.normal + nlu_normal(nlu))


_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Lower case, every number as ``0``: bed, bay and ward numbers say nothing about an
    emergency, and would otherwise be learnt from the examples that happen to have them."""
    return _DIGITS.sub("0", text.lower())


def _features() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, preprocessor=normalise),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    preprocessor=normalise,
                ),
            ),
        ]
    )


def _model(c: float, *, classes: int = 2) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    linear = LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=0
    )
    model = linear if classes == 2 else OneVsRestClassifier(linear)
    return Pipeline([("features", _features()), ("model", model)])


class EmergencyClassifier:
    """``p_emergency(text)`` in [0, 1] and ``kind(text)``."""

    def __init__(self, training: TrainingSet, *, c: float = 4.0) -> None:
        texts: list[str] = []
        kinds: list[str] = []
        for kind, examples in sorted(training.emergency.items()):
            texts.extend(examples)
            kinds.extend([kind] * len(examples))
        if not texts or not training.normal:
            raise ValueError("the safety classifier needs emergency and normal examples")
        self.detect = _model(c).fit(
            texts + list(training.normal), [1] * len(texts) + [0] * len(training.normal)
        )
        named = [(t, k) for t, k in zip(texts, kinds, strict=True) if k != "general"]
        self.name_kind = _model(c, classes=len(set(kinds))).fit(
            [t for t, _ in named], [k for _, k in named]
        )
        self._scorer: Any = None

    def p_emergency(self, texts: Sequence[str]) -> list[float]:
        """``Pipeline.predict_proba``'s emergency column, computed without sklearn's
        per-call overhead (this runs on every message): ``assistant.safety.linear``."""
        if self._scorer is None:
            from assistant.safety.linear import LinearScorer

            steps = self.detect.named_steps
            self._scorer = LinearScorer(steps["features"], steps["model"])
        return self._scorer.many(texts)

    def kind(self, text: str) -> str:
        return str(self.name_kind.predict([text])[0])
