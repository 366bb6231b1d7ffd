"""What a trained NLU component keeps in the model (one JSON file in its resource), and
the fingerprint of its code.

Rasa's training cache keys a component by its class's source and its config, not by the
module-level helpers it calls: a changed helper (``usable`` of the directory extractor)
was "Restored from cache" and never trained. Each component's default config therefore
carries ``source``: a hash of its modules' files, so any change to them retrains it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
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


def source_hash(*modules: str) -> str:
    """A short hash of these modules' source files (``__file__`` of each)."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]
