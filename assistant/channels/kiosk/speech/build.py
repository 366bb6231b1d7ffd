"""Build the kiosk's domain language model and dictionary.

Inputs: the NLU training text (``training_data/nlu/*.yml``) and the HMS directory (wards,
aliases, departments, clinicians, help types, bed numbers, digits for MRNs, times).
Outputs in ``var/speech/``: ``domain.lm`` (ARPA trigram, pocketsphinx's ``ArpaBoLM``),
``domain.dict``, ``corpus.txt`` and ``manifest.json``.

Every word of the directory sentences must have a pronunciation (see ``lexicon.py``),
otherwise :class:`BuildError`. NLU examples are chat text with typos ("portr", "pls"):
an example containing a word without a pronunciation is left out of the corpus and
listed in the manifest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pocketsphinx.lm import ArpaBoLM

from assistant.channels.kiosk.speech.base import BuildError
from assistant.channels.kiosk.speech.directory import Directory
from assistant.channels.kiosk.speech.lexicon import Lexicon
from assistant.channels.kiosk.speech.normalise import number_words, spoken
from intents import yamlfile

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
MRN_SAMPLES = 60
_HELP_WORDS = {"it": "i t", "other": "help"}


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    sentences: int
    words: int
    skipped_examples: tuple[str, ...]
    skipped_names: tuple[str, ...] = ()  # staff names with a word the lexicon cannot say


def nlu_examples(paths: Iterable[Path]) -> Iterator[str]:
    """Plain text of every intent / synonym / lookup example (annotations removed)."""
    for path in sorted(paths):
        data = yamlfile.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu", []) or []:
            if "regex" in item:
                continue
            for line in str(item.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield _ANNOTATION.sub(r"\1", line[2:])


def _ward_phrases(directory: Directory) -> list[str]:
    phrases = []
    for ward in directory.wards:
        phrases += [ward.code, f"ward {ward.code}", ward.name, *ward.aliases]
    return [spoken(p) for p in phrases]


def directory_sentences(directory: Directory, seed: int = 5) -> list[str]:
    """Carrier sentences that put every directory word in context."""
    rng = random.Random(seed)
    wards = _ward_phrases(directory)
    beds = [number_words(n) for n in range(1, directory.max_bed + 1)]
    out: list[str] = []
    for ward in wards:
        out += [
            f"how many free beds on {ward}",
            f"any free beds on {ward}",
            f"is there a side room on {ward}",
        ]
        for help_type in directory.help_types:
            word = _HELP_WORDS.get(help_type, help_type)
            out.append(f"i need {word} on {ward} bed {rng.choice(beds)}")
    for bed in beds:
        ward = rng.choice(wards)
        out += [f"i need a porter for bed {bed}", f"send housekeeping to {ward} bed {bed}"]
    for department in directory.departments:
        name = spoken(department)
        hour, minute = rng.randint(1, 12), rng.choice(["thirty", "fifteen", "o'clock"])
        out += [
            f"book an appointment with {name}",
            f"next free slot in {name} at {number_words(hour)} {minute}",
        ]
    for clinician in directory.clinicians:
        out.append(f"book an appointment with {spoken(clinician)} tomorrow")
    for _ in range(MRN_SAMPLES):
        digits = "1000" + "".join(str(rng.randint(0, 9)) for _ in range(4))
        out += [f"where is mrn {spoken(digits)}", f"find patient {spoken(digits)}"]
    for hour in range(1, 13):
        out.append(f"book it for {number_words(hour)} thirty")
    out += ["sign out", "yes please", "no thanks", "call the help desk", "cancel"]
    return out


def _words(sentences: Iterable[str]) -> set[str]:
    return {w for s in sentences for w in s.split()}


def build(
    out_dir: Path,
    directory: Directory,
    nlu_paths: Iterable[Path],
    lexicon: Lexicon | None = None,
) -> BuildResult:
    """Generate corpus, LM and dictionary into ``out_dir``; raise BuildError on gaps."""
    lexicon = lexicon or Lexicon.load()
    nlu_paths = list(nlu_paths)
    examples = list(nlu_examples(nlu_paths))
    for text in [*examples, *(w.code for w in directory.wards)]:
        lexicon.learn_acronyms(text)
    for ward in directory.wards:
        for name in (ward.name, *ward.aliases):
            lexicon.learn_acronyms(name)
    for name in (*directory.departments, *directory.clinicians):
        lexicon.learn_acronyms(name)
    # a hospital's staff directory always has names no dictionary knows: leave those out
    # (reported) rather than fail the build; wards and departments must all be sayable
    sayable = [n for n in directory.clinicians if not lexicon.missing(spoken(n).split())]
    unsayable = tuple(n for n in directory.clinicians if n not in sayable)
    directory = dataclasses.replace(directory, clinicians=tuple(sayable))

    generated = directory_sentences(directory)
    missing = lexicon.missing(_words(generated))
    if missing:
        raise BuildError(
            "no pronunciation for directory word(s): "
            + ", ".join(missing)
            + " - add them to assistant/channels/kiosk/speech/extra.dict and rebuild"
        )
    corpus, skipped = list(generated), []
    for example in examples:
        sentence = spoken(example)
        if sentence and not lexicon.missing(sentence.split()):
            corpus.append(sentence)
        else:
            skipped.append(example)

    model = ArpaBoLM(text="\n".join(corpus) + "\n", add_start=True, discount_mass=0.5)
    model.compute()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.write_file(str(out_dir / "domain.lm"))
    words = _words(corpus)
    (out_dir / "domain.dict").write_text(lexicon.dictionary_text(words), encoding="utf-8")
    (out_dir / "corpus.txt").write_text("\n".join(corpus) + "\n", encoding="utf-8")
    digest = hashlib.sha256("\n".join(corpus).encode()).hexdigest()
    manifest = {
        "sentences": len(corpus),
        "words": len(words),
        "corpus_sha256": digest,
        "ward_codes": list(directory.ward_codes),
        "nlu_files": [p.name for p in sorted(nlu_paths)],
        "skipped_examples": len(skipped),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return BuildResult(out_dir, len(corpus), len(words), tuple(skipped), unsayable)
