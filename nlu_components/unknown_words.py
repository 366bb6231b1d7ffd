"""``UnknownWordsFallback``: a message made only of words the training data never used is
not understood, whatever the classifier's softmax says.

A linear intent classifier still spreads its confidence over the intents for a string of
nonsense ("xqzzt vrrmp" came out as ``stop`` at 0.56); this component, placed after the
classifier and before ``FallbackClassifier``, sets the intent to ``nlu_fallback`` when no
word of the message is in the training vocabulary (example texts, lookup tables and
synonyms) and no entity was found. The ranking is kept, so the fallback can still offer
the likeliest tasks. Button payloads (``/intent``) never reach NLU components.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.stored import load_json, save_json, source_hash

_WORD = re.compile(r"[a-z]+")
FILE = "vocabulary.json"


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsFallback(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # words shorter than this are ignored both ways ("a", "ok" say nothing)
        return {"min_length": 2, "source": source_hash(__file__)}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: set[str] | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        vocabulary: set[str] = set()
        for example in training_data.training_examples:
            vocabulary |= words(example.get(TEXT) or "")
        for table in training_data.lookup_tables:
            for element in table.get("elements") or []:
                vocabulary |= words(str(element))
        for surface, canonical in (training_data.entity_synonyms or {}).items():
            vocabulary |= words(f"{surface} {canonical}")
        self.vocabulary = {w for w in vocabulary if len(w) >= self._config["min_length"]}
        return save_json(self._storage, self._resource, FILE, sorted(self.vocabulary))

    def unknown(self, message: Message) -> bool:
        """True when the message holds words, none of them known, and no entity."""
        if message.get(ENTITIES):
            return False
        said = {w for w in words(message.get(TEXT) or "") if len(w) >= self._config["min_length"]}
        return bool(said) and not (said & self.vocabulary)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self.vocabulary and self.unknown(message):
                message.set(
                    INTENT,
                    {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0},
                    add_to_output=True,
                )
        return messages

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        vocabulary = set(load_json(model_storage, resource, FILE, []))
        return cls(config, model_storage, resource, vocabulary)
