"""Task success per part and category, as a plain-text table (pytest summary and bench)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.dialogues.dialogue_format import CATEGORIES, PARTS


def tally(results: Iterable[Any]) -> dict[str, dict[str, tuple[int, int]]]:
    """part -> category -> (passed, total)."""
    table: dict[str, dict[str, tuple[int, int]]] = {}
    for result in results:
        passed, total = table.setdefault(result.part, {}).get(result.category, (0, 0))
        table[result.part][result.category] = (passed + bool(result.passed), total + 1)
    return table


def _rate(passed: int, total: int) -> str:
    return f"{passed:>4}/{total:<4} {100.0 * passed / total:5.1f}%" if total else "   -"


def summary(results: Iterable[Any]) -> str:
    """One column per part (and overall), one row per category."""
    table = tally(results)
    parts = [p for p in PARTS if p in table]
    if not parts:
        return "dialogue task success: no conversations ran"
    categories = [c for c in CATEGORIES if any(c in table[p] for p in parts)]
    categories += sorted({c for p in parts for c in table[p]} - set(categories))
    width = max(len(c) for c in [*categories, "category"])
    head = f"{'category':<{width}}  " + "  ".join(f"{p:<16}" for p in [*parts, "overall"])
    lines = ["dialogue task success (passed/total)", head]
    for cat in [*categories, "ALL"]:
        cells = []
        for part in [*parts, None]:
            chosen = [table[part]] if part else [table[p] for p in parts]
            counts = [v for t in chosen for c, v in t.items() if cat in ("ALL", c)]
            passed, total = sum(p for p, _ in counts), sum(t for _, t in counts)
            cells.append(f"{_rate(passed, total):<16}")
        lines.append(f"{cat:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)
