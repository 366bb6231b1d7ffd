"""A trainer's label: an intent and the message in Rasa's entity markup ``[4B](ward)``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.logging import redact_phi

_ENTITY = re.compile(r"\[(?P<text>[^\[\]()]+)\]\((?P<entity>[a-z_]+)\)")
_PLACEHOLDERS = ("[mrn]", "[name]", "[redacted]")
MAX_CHARS = 300


class LabelError(ValueError):
    """The label cannot be used as a training example (the message says why)."""


@dataclass(frozen=True)
class Label:
    intent: str
    annotated: str  # Rasa markup, one line

    @property
    def plain(self) -> str:
        return plain_text(self.annotated)


def plain_text(annotated: str) -> str:
    return _ENTITY.sub(lambda m: m["text"], annotated)


def entities_of(annotated: str) -> list[tuple[str, str]]:
    return [(m["entity"], m["text"]) for m in _ENTITY.finditer(annotated)]


def normalise(text: str) -> str:
    """For de-duplication: lower case, single spaces, no trailing punctuation."""
    return " ".join(text.lower().split()).rstrip(" .?!")


def check_label(
    intent: str, annotated: str, *, intents: frozenset[str], entities: frozenset[str]
) -> Label:
    """Validate a label against the intent catalog; raise ``LabelError`` with the reason."""
    annotated = " ".join(annotated.split())
    if intent not in intents:
        raise LabelError(f"unknown intent {intent!r}: pick one from the catalog")
    if not annotated:
        raise LabelError("the example is empty")
    if len(annotated) > MAX_CHARS:
        raise LabelError(f"the example is over {MAX_CHARS} characters")
    for entity, _ in entities_of(annotated):
        if entity not in entities:
            raise LabelError(f"unknown entity {entity!r}: use one of {', '.join(sorted(entities))}")
    plain = plain_text(annotated)
    if any(mark in plain for mark in ("[", "]", "](")):
        if any(p in plain.lower() for p in _PLACEHOLDERS):
            raise LabelError(
                "the example still holds a redaction placeholder such as [mrn]: replace it "
                "with a made-up value or leave that part out"
            )
        raise LabelError("entity markup is [words](entity), e.g. [4B](ward)")
    if redact_phi(plain) != plain:
        raise LabelError("the example looks like it names a patient or an MRN: leave that out")
    return Label(intent, annotated)
