"""``DialogueStateTracker.applied_events`` that continues where it left off.

Rasa recomputes the applied events (the history without reverted turns and without the
turns a form's next run undoes) from the first event every time it is asked - several
times per turn, so the cost of a turn grows with the conversation. The rules only ever
look back from the event being added, so the answer for ``events[:n + k]`` is the answer
for ``events[:n]`` carried on over the ``k`` new events - with one exception: an event is
treated as a form's run only if that form is named by *some* ``ActiveLoop`` event of the
tracker, even a later one. When a new form name appears, or the events are not the ones
seen before (a different or shortened history), the answer is computed from the start,
exactly as Rasa does. Checked against Rasa's own in ``tests/rasa_ext/test_fastpath.py``.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)

MEMO_ATTRIBUTE = "_rasa_ext_applied_memo"


class _Applied:
    __slots__ = ("seen", "last", "loop_names", "applied")

    def __init__(self) -> None:
        self.seen = 0  # events consumed
        self.last: Any = None  # the last event consumed (identity check)
        self.loop_names: set[str] = set()
        self.applied: list[Any] = []


def _loop_names(events: Any) -> set[str]:
    return {e.name for e in events if isinstance(e, ActiveLoop) and e.name}


def _consume(tracker: Any, memo: _Applied, events: Any) -> None:
    """Rasa's loop body (DialogueStateTracker.applied_events), over ``events``."""
    applied = memo.applied
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = memo.applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in memo.loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
        memo.seen += 1
        memo.last = event


def applied_events(tracker: Any) -> list[Any]:
    """Drop-in for ``DialogueStateTracker.applied_events`` (see the module docstring)."""
    events = tracker.events
    total = len(events)
    memo: _Applied | None = tracker.__dict__.get(MEMO_ATTRIBUTE)
    fresh = (
        memo is None
        or memo.seen > total
        or (memo.seen > 0 and events[memo.seen - 1] is not memo.last)
    )
    if not fresh:
        assert memo is not None
        new = list(islice(events, memo.seen, None))
        if not _loop_names(new) <= memo.loop_names:
            fresh = True
    if fresh:
        memo = _Applied()
        memo.loop_names = _loop_names(events)
        tracker.__dict__[MEMO_ATTRIBUTE] = memo
        new = list(events)
    assert memo is not None
    _consume(tracker, memo, new)
    return list(memo.applied)
