"""Pronunciations for the domain vocabulary.

Sources, in order: pocketsphinx's CMU dictionary, the hand-curated ``extra.dict`` beside
this module (domain words cmudict lacks, e.g. "paeds", "bariatric"), and one spell-out rule:
an all-letter token of 2-4 letters that the source writes in capitals (ICU, HDU, MRN) is
pronounced letter by letter. Any other word without a pronunciation is a build error: add
it to ``extra.dict`` (or the hospital's own extra dictionary) and rebuild.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pocketsphinx

EXTRA_DICT = Path(__file__).with_name("extra.dict")


def default_model_dir() -> Path:
    return Path(pocketsphinx.get_model_path()) / "en-us"


def read_dict(path: Path) -> dict[str, list[str]]:
    """``word PHONES`` lines (alternates ``word(2) ...``) -> word -> pronunciations."""
    entries: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        word, _, phones = line.strip().partition(" ")
        word = re.sub(r"\(\d+\)$", "", word)
        entries.setdefault(word, []).append(" ".join(phones.split()))
    return entries


@functools.cache
def _cmudict(path: Path) -> dict[str, list[str]]:
    """The installed CMU dictionary (135k words), parsed once per process: it is read-only
    data of the pocketsphinx package. Callers copy the mapping before changing it."""
    return read_dict(path)


@dataclass
class Lexicon:
    base: dict[str, list[str]]
    acronyms: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, extra: Iterable[Path] = ()) -> Lexicon:
        base = dict(_cmudict(default_model_dir() / "cmudict-en-us.dict"))
        for path in (EXTRA_DICT, *extra):
            for word, prons in read_dict(path).items():
                base[word] = prons
        return cls(base=base)

    def learn_acronyms(self, text: str) -> None:
        """Remember capitalised 2-4 letter tokens in ``text`` as spell-out candidates."""
        for token in re.findall(r"\b[A-Z]{2,4}\b", text):
            self.acronyms.add(token.lower())

    def pronounce(self, word: str) -> list[str] | None:
        prons = list(self.base.get(word, []))
        if word in self.acronyms:
            letters = [self.base.get(ch, [""])[-1] for ch in word]
            if all(letters):
                spelled = " ".join(letters)
                prons += [] if spelled in prons else [spelled]
        return prons or None

    def missing(self, words: Iterable[str]) -> list[str]:
        return sorted({w for w in words if self.pronounce(w) is None})

    def dictionary_text(self, words: Iterable[str]) -> str:
        lines = []
        for word in sorted(set(words)):
            prons = self.pronounce(word) or []
            for n, phones in enumerate(prons):
                lines.append(f"{word if n == 0 else f'{word}({n + 1})'} {phones}")
        return "\n".join(lines) + "\n"
