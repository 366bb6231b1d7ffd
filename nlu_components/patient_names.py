"""``PatientNameExtractor``: a patient's name typed in lower case in a patient task.

"where is emily lloyd" got no ``patient_name`` (the CRF reads capitals) and the name was
asked again. Placed last in the pipeline (after the fallback classifier), for a message
whose final intent is one the training data annotates with patient names (``inform``
excluded: a bare answer is read by the form that asked), it adds the run of words the
training data never used as the name (``nlu_components/namewords.py``), when no
``patient_name`` was found. Button payloads (``/intent``) never reach NLU components.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components import namewords
from nlu_components.namewords import by_length, unknown_name, vocabulary_without
from nlu_components.stored import load_json, save_json, source_hash

FILE = "patient_names.json"
ENTITY = "patient_name"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PatientNameExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"exclude_intents": ["inform"], "source": source_hash(__file__, namewords.__file__)}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: dict[str, list[str]] | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        state = state or {}
        self.intents = set(state.get("intents") or [])
        self.vocabulary = set(state.get("vocabulary") or [])
        self._grouped = by_length(self.vocabulary)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PatientNameExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, spans, intents = [], [], set()
        for example in training_data.training_examples:
            text = example.get(TEXT) or ""
            texts.append(text)
            for entity in example.get(ENTITIES) or []:
                if entity.get("entity") == ENTITY:
                    spans.append((text, int(entity["start"]), int(entity["end"])))
                    intents.add(str(example.get(INTENT)))
        vocabulary = vocabulary_without(texts, spans)
        for table in training_data.lookup_tables:
            vocabulary |= vocabulary_without([str(e) for e in table.get("elements") or []], [])
        for surface, canonical in (training_data.entity_synonyms or {}).items():
            vocabulary |= vocabulary_without([f"{surface} {canonical}"], [])
        state = {
            "intents": sorted(intents - set(self._config["exclude_intents"])),
            "vocabulary": sorted(vocabulary),
        }
        self.intents, self.vocabulary = set(state["intents"]), vocabulary
        self._grouped = by_length(vocabulary)
        return save_json(self._storage, self._resource, FILE, state)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get("name")
            entities = list(message.get(ENTITIES) or [])
            if intent not in self.intents or any(e.get("entity") == ENTITY for e in entities):
                continue
            taken = [(int(e["start"]), int(e["end"])) for e in entities]
            found = unknown_name(message.get(TEXT) or "", self.vocabulary, taken, self._grouped)
            if found is not None:
                found["confidence"] = 1.0
                message.set(
                    ENTITIES, entities + self.add_extractor_name([found]), add_to_output=True
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
    ) -> PatientNameExtractor:
        return cls(config, model_storage, resource, load_json(model_storage, resource, FILE, {}))
