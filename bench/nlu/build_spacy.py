"""Build the HMS-directory spaCy pipeline used by the spaCy NLU candidate.

A blank English pipeline (spaCy's rule-based tokenizer) plus an ``entity_ruler`` whose
patterns are the generated lookups in ``training_data/nlu/directory.yml`` (wards,
departments, clinicians, bed types). Bare numbers and number words ("7", "seven") are left
out: on their own they are bed numbers far more often than ward names.

Run with the Rasa environment (spaCy 3.4):
    .venv-rasa/bin/python bench/nlu/build_spacy.py [--out models/spacy_hms]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import spacy
import yaml

ROOT = Path(__file__).resolve().parents[2]
DIRECTORY = ROOT / "training_data" / "nlu" / "directory.yml"
NUMBER_WORDS = set("zero one two three four five six seven eight nine ten eleven twelve".split())


def load_patterns(path: Path) -> list[dict[str, object]]:
    """entity_ruler token patterns (case-insensitive) from the generated lookups."""
    data = yaml.safe_load(path.read_text())
    canonical: dict[str, str] = {}
    for block in data["nlu"]:
        if "synonym" in block:
            for form in _items(block["examples"]):
                canonical[form] = str(block["synonym"])
    tokenizer = spacy.blank("en").tokenizer
    patterns: list[dict[str, object]] = []
    for block in data["nlu"]:
        if "lookup" not in block:
            continue
        label = str(block["lookup"])
        for form in _items(block["examples"]):
            if form.isdigit() or form in NUMBER_WORDS:
                continue
            tokens = [{"LOWER": t.lower_} for t in tokenizer(form)]
            patterns.append({"label": label, "pattern": tokens, "id": canonical.get(form, form)})
    return patterns


def _items(examples: str) -> list[str]:
    return [ln.strip()[2:].strip() for ln in examples.splitlines() if ln.strip().startswith("- ")]


def build(out: Path, directory: Path = DIRECTORY) -> int:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": None})
    patterns = load_patterns(directory)
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return len(patterns)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "spacy_hms")
    args = parser.parse_args(argv)
    count = build(args.out)
    print(f"wrote {args.out} ({count} entity_ruler patterns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
