"""Writes labelled review items into the NLU training data, in the repo's Rasa YAML format.

The examples go to ``training_data/nlu/reviewed.yml`` (one ``- intent:`` block per intent,
merged with what the file already holds). An example whose plain text (markup removed,
lower case, single spaces) is already anywhere in the training data is not written again.
The file's header asks for a human review of the diff before it is committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents import yamlfile

from .markup import normalise, plain_text
from .queue import ReviewItem, ReviewQueue

REVIEWED_FILE = "reviewed.yml"
HEADER = """\
# Examples labelled by trainers in the "not understood" review queue and written by
# `python -m assistant nlu export-reviewed`. REVIEW THE DIFF BEFORE COMMITTING:
#   git diff -- training_data/nlu/reviewed.yml
# Each example was a real staff message (PHI-redacted); keep only what reads right.
"""


@dataclass
class ExportResult:
    path: Path
    added: list[tuple[str, str]] = field(default_factory=list)  # (intent, example)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    exported_ids: list[int] = field(default_factory=list)


def _examples(block: Any) -> list[str]:
    if isinstance(block, str):
        return [line.strip()[2:].strip() for line in block.splitlines() if line.strip()[:2] == "- "]
    if isinstance(block, list):
        return [str(e.get("text", "")) if isinstance(e, dict) else str(e) for e in block]
    return []


def read_nlu(path: Path) -> dict[str, list[str]]:
    """intent -> examples of one Rasa NLU YAML file (other sections ignored)."""
    data = yamlfile.safe_load(path.read_text()) or {}
    found: dict[str, list[str]] = {}
    for item in data.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            found.setdefault(str(item["intent"]), []).extend(_examples(item.get("examples")))
    return found


def known_examples(nlu_dir: Path) -> set[str]:
    """Normalised plain text of every example under ``nlu_dir``."""
    known: set[str] = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        for examples in read_nlu(path).values():
            known.update(normalise(plain_text(e)) for e in examples)
    return known


def render(blocks: dict[str, list[str]]) -> str:
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for intent in sorted(blocks):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in blocks[intent])
    return "\n".join(lines) + "\n"


def export_reviewed(
    items: Iterable[ReviewItem], nlu_dir: Path, *, file_name: str = REVIEWED_FILE
) -> ExportResult:
    """Merge labelled items into ``nlu_dir/file_name``; return what was added / skipped."""
    path = nlu_dir / file_name
    blocks = read_nlu(path) if path.exists() else {}
    known = known_examples(nlu_dir)
    result = ExportResult(path)
    for item in items:
        if item.status != "labelled" or not item.label_intent or not item.label_text:
            continue
        example = " ".join(item.label_text.split())
        key = normalise(plain_text(example))
        result.exported_ids.append(item.id)
        if key in known:
            result.duplicates.append((item.label_intent, example))
            continue
        known.add(key)
        blocks.setdefault(item.label_intent, []).append(example)
        result.added.append((item.label_intent, example))
    if result.added:
        nlu_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(render(blocks))
    return result


def export_queue(queue: ReviewQueue, nlu_dir: Path) -> ExportResult:
    """Export every labelled item of the queue and mark them exported."""
    result = export_reviewed(queue.items(("labelled",), limit=10_000), nlu_dir)
    queue.mark_exported(result.exported_ids)
    return result
