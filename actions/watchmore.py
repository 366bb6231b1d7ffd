"""Right after a bed watch was set, a ward said alone narrows it, and "and one on ICU too"
adds another.

"let me know when an isolation bed frees up" (a watch anywhere in the hospital) then "on
HDU": the watch meant was on HDU - moved there (``watchmove``), as a correction would. Then
"and one on ICU too": another watch, for the same kind of bed on ICU. Both were "Sorry, I
didn't get that".
"""

from __future__ import annotations

import re
from typing import Any

from actions.state import Turn, blanked

# what a ward said alone may have around it ("on HDU", "just HDU please", "HDU only")
_ALONE = re.compile(
    r"^\W*(?:(?:just|only|on|in|at|for|the|ward|unit|please|pls|then|instead)(?:\W+|$))*$", re.I
)
# another one: "and one on ICU too", "also ICU", "ICU as well"
_MORE_CUE = re.compile(r"^\W*(?:and|also|plus)\b|\b(?:too|as\s+well|also)\W*$", re.I)
_MORE_WORDS = re.compile(
    r"\b(?:and|also|plus|too|as\s+well|one|another|a|an|bed|beds|on|in|at|for|the|ward|unit|"
    r"please|pls|same|watch|for)\b",
    re.I,
)


def _ward_only(turn: Turn) -> str | None:
    """The one ward a message names with nothing else tagged, or None."""
    if turn.is_payload:
        return None
    wards = turn.values("ward")
    if len(wards) != 1 or {str(e.get("entity")) for e in turn.entities} != {"ward"}:
        return None
    return wards[0][0]


def narrowed_to(last: dict[str, Any], turn: Turn) -> dict[str, str] | None:
    """{"ward": ...} when a ward said alone ("on HDU") follows a watch for anywhere in the
    hospital; None otherwise."""
    ward = _ward_only(turn)
    if ward is None or (last.get("slots") or {}).get("ward"):
        return None
    rest = blanked(turn.text, turn.spans("ward"))
    return {"ward": ward} if _ALONE.match(rest) else None


def another_watch(last: dict[str, Any], turn: Turn) -> tuple[str, dict[str, Any]] | None:
    """("watch_bed_availability", the same kind of bed on the ward named) for "and one on
    ICU too" right after a watch was set; None otherwise."""
    if last.get("intent") != "watch_bed_availability" or not last.get("watch_id"):
        return None
    ward = _ward_only(turn)
    if ward is None or not _MORE_CUE.search(turn.text):
        return None
    rest = _MORE_WORDS.sub(" ", blanked(turn.text, turn.spans("ward")))
    if re.search(r"\w", rest):
        return None  # "and is there one on ICU now?": a question, not a watch
    kept = {k: v for k, v in (last.get("slots") or {}).items() if k == "bed_type" and v}
    return "watch_bed_availability", {**kept, "ward": ward}
