"""The emergency lexicon (``data/lexicon.yml``) as data, and its cue specs as spaCy patterns.

A cue spec is a short phrase with a few operators (see the head of ``lexicon.yml``):
``(a|b)`` one of (each alternative may be several words), ``x?`` optional, ``_`` any one
token. ``compile_spec`` turns it into EntityRuler token patterns (several when an
alternative has more than one token).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intents import yamlfile

DATA = Path(__file__).resolve().parent / "data"
LEXICON = DATA / "lexicon.yml"
STRONG, WEAK, BENIGN = "SAFETY_STRONG", "SAFETY_WEAK", "SAFETY_BENIGN"
GENERAL = "general"
MODIFIERS = ("negation", "hypothetical", "historical")
_UNIT = re.compile(r"\([^()]*\)\??|\S+")
# A cue that starts with "not"/"n't" ("not breathing") also takes the verb before it into
# the match ("is n't breathing"), so NegEx does not read that "isn't" as negating the cue.
_NEGATIVE_START = frozenset({"not", "n't", "nt", "never", "no"})
# Staff type "cant", "isnt", "wont": the tokenizer splits them as "ca" "nt", so a cue's
# "n't" token also matches "nt".
_SPELLINGS = {"n't": ("n't", "nt")}


def _spelled(words: Iterable[str]) -> list[str]:
    return sorted({s for w in words for s in _SPELLINGS.get(w, (w,))})


_AUX = [
    "'s",
    "'re",
    "are",
    "did",
    "does",
    "do",
    "had",
    "has",
    "have",
    "is",
    "was",
    "were",
]

Tokenize = Callable[[str], list[str]]
TokenPattern = list[dict[str, Any]]


class LexiconError(ValueError):
    """The lexicon file is malformed (a clear message naming the bad entry)."""


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]


@dataclass(frozen=True)
class Modifier:
    """ConText-style modifier terms, in negspacy's termset shape."""

    preceding: tuple[str, ...]
    following: tuple[str, ...]
    pseudo: tuple[str, ...]
    termination: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    kinds: Mapping[str, Kind]
    benign: tuple[str, ...]
    context: Mapping[str, Modifier]

    def without(self, excluded: Iterable[str]) -> Lexicon:
        """The lexicon with some kinds' cues removed (leave-kinds-out measurement)."""
        drop = set(excluded)
        return Lexicon(
            {k: v for k, v in self.kinds.items() if k not in drop}, self.benign, self.context
        )

    def label(self, kind: str | None) -> str:
        if kind is None or kind not in self.kinds:
            return "emergency"
        return self.kinds[kind].label


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise LexiconError(f"{where} must be a list of phrases")
    return tuple(str(v) for v in value)


def load_lexicon(path: Path = LEXICON) -> Lexicon:
    data = yamlfile.safe_load(path.read_text(encoding="utf-8")) or {}
    kinds: dict[str, Kind] = {}
    for name, body in (data.get("kinds") or {}).items():
        if not isinstance(body, dict):
            raise LexiconError(f"kinds.{name} must be a mapping")
        kinds[name] = Kind(
            name,
            str(body.get("label") or name.replace("_", " ")),
            _strings(body.get("strong"), f"kinds.{name}.strong"),
            _strings(body.get("weak"), f"kinds.{name}.weak"),
        )
    general = data.get("general") or {}
    kinds[GENERAL] = Kind(
        GENERAL,
        "emergency",
        _strings(general.get("strong"), "general.strong"),
        _strings(general.get("weak"), "general.weak"),
    )
    context: dict[str, Modifier] = {}
    for name in MODIFIERS:
        body = (data.get("context") or {}).get(name) or {}
        context[name] = Modifier(
            *(
                _strings(body.get(part), f"context.{name}.{part}")
                for part in ("preceding", "following", "pseudo", "termination")
            )
        )
    return Lexicon(kinds, _strings(data.get("benign"), "benign"), context)


def _alternatives(unit: str, tokenize: Tokenize) -> tuple[list[list[str]], bool]:
    optional = unit.endswith("?") and len(unit) > 1
    body = unit[:-1] if optional else unit
    if body.startswith("(") and body.endswith(")"):
        options = [tokenize(option.strip()) for option in body[1:-1].split("|")]
    else:
        options = [tokenize(body)]
    if any(not option for option in options):
        raise LexiconError(f"empty alternative in {unit!r}")
    return options, optional


def compile_spec(spec: str, tokenize: Tokenize) -> list[TokenPattern]:
    """Token patterns (``LOWER``) for one cue spec; see the module docstring."""
    branches: list[list[TokenPattern]] = []
    for unit in _UNIT.findall(spec.strip().lower()):
        if unit in ("_", "_?"):
            branches.append([[{"OP": "?"} if unit == "_?" else {}]])
            continue
        options, optional = _alternatives(unit, tokenize)
        if all(len(option) == 1 for option in options):
            words = _spelled(option[0] for option in options)
            token: dict[str, Any] = {"LOWER": words[0]} if len(words) == 1 else {}
            if len(words) > 1:
                token["LOWER"] = {"IN": words}
            if optional:
                token["OP"] = "?"
            branches.append([[token]])
            continue
        choices: list[TokenPattern] = [
            [
                {"LOWER": word} if word not in _SPELLINGS else {"LOWER": {"IN": _spelled([word])}}
                for word in o
            ]
            for o in options
        ]
        if optional:
            choices.append([])
        branches.append(choices)
    if not branches:
        raise LexiconError(f"empty cue spec {spec!r}")
    first = branches[0][0][0] if len(branches[0]) == 1 and branches[0][0] else {}
    lead = first.get("LOWER")
    starts = set(lead["IN"]) if isinstance(lead, dict) else {lead}
    if starts & _NEGATIVE_START:
        branches.insert(0, [[{"LOWER": {"IN": _AUX}, "OP": "?"}]])
    patterns = [sum(parts, []) for parts in itertools.product(*branches)]
    return [p for p in patterns if any("OP" not in t for t in p)]


def ruler_patterns(lexicon: Lexicon, tokenize: Tokenize) -> list[dict[str, Any]]:
    """EntityRuler patterns: strong/weak cues (``id`` = kind) and benign phrases."""
    out: list[dict[str, Any]] = []
    for kind in lexicon.kinds.values():
        for label, specs in ((STRONG, kind.strong), (WEAK, kind.weak)):
            for spec in specs:
                try:
                    compiled = compile_spec(spec, tokenize)
                except LexiconError as exc:
                    raise LexiconError(f"kinds.{kind.name}: {exc}") from exc
                out.extend({"label": label, "pattern": p, "id": kind.name} for p in compiled)
    for spec in lexicon.benign:
        out.extend({"label": BENIGN, "pattern": p} for p in compile_spec(spec, tokenize))
    return out
