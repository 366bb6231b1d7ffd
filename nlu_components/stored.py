"""What a trained NLU component keeps in the model: one JSON file in its resource."""

from __future__ import annotations

from typing import Any

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file


def save_json(storage: ModelStorage, resource: Resource, file: str, value: Any) -> Resource:
    with storage.write_to(resource) as directory:
        dump_obj_as_json_to_file(directory / file, value)
    return resource


def load_json(storage: ModelStorage, resource: Resource, file: str, default: Any) -> Any:
    """The saved value, or ``default`` for a model trained without it."""
    try:
        with storage.read_from(resource) as directory:
            return read_json_file(directory / file)
    except (ValueError, FileNotFoundError):
        return default
