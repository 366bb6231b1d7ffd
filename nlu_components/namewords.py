"""Patient names typed in lower case: the words of a patient task the training data never
used (pure functions; the Rasa component is ``nlu_components/patient_names.py``).

"where is emily lloyd", "appointments for arjun johnson": the CRF tags a name mostly by
its capitals, so these got no name and the question was asked again. A name is two to
four words in a row, each unknown to the training vocabulary (the words of every example
except those inside a ``patient_name`` annotation, lookup tables, synonyms), not every
one of them a near-spelling of a known word ("apointmnet tomorow" is typing, not a
name), and outside every entity already found. The HMS name search then decides whether
such a patient exists (the actions answer "I couldn't find a patient with that name").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
MIN_WORDS, MAX_WORDS = 2, 4
TYPO_CUTOFF = 0.8  # difflib ratio at or above which an unknown word is a known word mistyped


def vocabulary_without(texts: Iterable[str], spans: Iterable[tuple[str, int, int]]) -> set[str]:
    """Lower-case words of ``texts`` outside the character ``spans`` (text, start, end)."""
    cut: dict[str, list[tuple[int, int]]] = {}
    for text, start, end in spans:
        cut.setdefault(text, []).append((start, end))
    known: set[str] = set()
    for text in texts:
        for match in WORD.finditer(text):
            if not any(s <= match.start() < e for s, e in cut.get(text, [])):
                known.add(match.group().lower())
    return known


def _typo(word: str, vocabulary: set[str], by_length: dict[int, list[str]]) -> bool:
    near = [w for n in range(len(word) - 2, len(word) + 3) for w in by_length.get(n, [])]
    return bool(difflib.get_close_matches(word, near, n=1, cutoff=TYPO_CUTOFF))


def by_length(vocabulary: set[str]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for word in vocabulary:
        grouped.setdefault(len(word), []).append(word)
    return grouped


def unknown_name(
    text: str,
    vocabulary: set[str],
    taken: list[tuple[int, int]],
    grouped: dict[int, list[str]] | None = None,
) -> dict[str, Any] | None:
    """The longest run of 2-4 unknown words outside ``taken`` as an entity dict, or None."""
    grouped = grouped if grouped is not None else by_length(vocabulary)
    runs: list[list[re.Match[str]]] = [[]]
    for match in WORD.finditer(text):
        start, end = match.span()
        gap = text[runs[-1][-1].end() : start] if runs[-1] else ""
        free = not any(start < t_end and t_start < end for t_start, t_end in taken)
        if not free or match.group().lower() in vocabulary or (gap and gap.strip()):
            runs.append([])
        if free and match.group().lower() not in vocabulary:
            runs[-1].append(match)
    best = None
    for run in runs:
        if not MIN_WORDS <= len(run) <= MAX_WORDS:
            continue
        if all(_typo(m.group().lower(), vocabulary, grouped) for m in run):
            continue
        if best is None or len(run) > len(best):
            best = run
    if best is None:
        return None
    start, end = best[0].start(), best[-1].end()
    if text[end - 2 : end].lower() in ("'s", "’s"):
        end -= 2  # "hamza campbell's appointment"
    return {"entity": "patient_name", "value": text[start:end], "start": start, "end": end}
