"""``DirectoryEntityExtractor``: the hospital's own names for its places, found wherever
they are written, in any case.

The CRF tags a ward from its context and misses it often enough to matter when staff type
in lower case: "let me know when a bed frees up on ccu" and "watch for a bed on hdu" got
no ward (a watch over the whole hospital), "close HDU bed 12 and ccu bed 10" only HDU.
This component, placed after the CRF and before ``EntitySynonymMapper``, adds an entity
for every whole-word, case-insensitive mention of a lookup table's entry (the HMS
directory, ``training_data/nlu/directory.yml``) that no other entity already covers; the
synonym mapper then turns it into the code ("ccu" -> CCU).

Only entries that can name nothing else are used (config): at least ``min_length``
characters with a letter in them (or a short code of letters and digits: "4b bed 3
done"), and not in ``exclude`` - ordinary words that are also a ward's other name
("emergency", "resus", "mat", "seven"). Button payloads (``/intent``) never reach NLU
components.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.stored import load_json, save_json, source_hash

FILE = "directory_entries.json"


def usable(entry: str, min_length: int, exclude: set[str]) -> bool:
    """Long enough with a letter, or a short code of letters and digits ("4b"; "ed" is
    a word too short to be sure of), and not excluded."""
    entry = " ".join(entry.lower().split())
    letters, digits = any(c.isalpha() for c in entry), any(c.isdigit() for c in entry)
    code = len(entry) >= 2 and letters and digits and entry.isalnum()
    return (len(entry) >= min_length or code) and letters and entry not in exclude


def pattern(entries: list[str]) -> re.Pattern[str] | None:
    """One alternation, longest entry first, matching whole words only."""
    if not entries:
        return None
    ordered = sorted({" ".join(e.lower().split()) for e in entries}, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, e.split())) for e in ordered)
    return re.compile(rf"(?<![\w&-])(?:{body})(?![\w&-])", re.I)


def mentions(
    text: str, entity: str, found: re.Pattern[str], taken: list[tuple[int, int]]
) -> list[dict[str, Any]]:
    """Entities for the matches of ``found`` in ``text`` outside the spans ``taken``."""
    out = []
    for match in found.finditer(text):
        start, end = match.span()
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        out.append(
            {
                "entity": entity,
                "value": match.group(0),
                "start": start,
                "end": end,
                "confidence": 1.0,
            }
        )
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class DirectoryEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "entities": ["ward"],
            "min_length": 3,
            "exclude": [],
            "source": source_hash(__file__),
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        entries: dict[str, list[str]] | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.entries = entries or {}
        self.patterns = {name: pattern(values) for name, values in self.entries.items()}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DirectoryEntityExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        exclude = {" ".join(str(e).lower().split()) for e in self._config["exclude"]}
        entries: dict[str, list[str]] = {}
        for table in training_data.lookup_tables:
            name = table.get("name")
            if name not in self._config["entities"]:
                continue
            entries[name] = sorted(
                {
                    " ".join(str(e).lower().split())
                    for e in table.get("elements") or []
                    if usable(str(e), self._config["min_length"], exclude)
                }
            )
        self.entries = entries
        self.patterns = {name: pattern(values) for name, values in entries.items()}
        return save_json(self._storage, self._resource, FILE, entries)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            entities = list(message.get(ENTITIES) or [])
            added: list[dict[str, Any]] = []
            for name, found in self.patterns.items():
                if found is None:
                    continue
                taken = [(int(e["start"]), int(e["end"])) for e in [*entities, *added]]
                added += mentions(text, name, found, taken)
            if added:
                message.set(ENTITIES, entities + self.add_extractor_name(added), add_to_output=True)
        return messages

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> DirectoryEntityExtractor:
        entries = load_json(model_storage, resource, FILE, {})
        return cls(config, model_storage, resource, entries)
