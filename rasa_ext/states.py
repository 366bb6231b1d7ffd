"""Dialogue states computed once per event instead of replaying the conversation per prediction.

Every policy prediction in Rasa 3.6 asks ``Domain.states_for_tracker_history``, which
copies the tracker, replays every applied event from the start of the session and builds
one state per action: a 120-turn conversation replays ~1,000 events twice for each of the
few predictions of a turn. The policies then look only at the last few states.

``states_for_tracker_history`` here computes exactly the same list, but remembers (on the
tracker object) the states already built and the replay tracker they were built with:
the next call replays only the events added since. Rasa rewrites the applied history in
one place - a form running again undoes the turns since its previous run - so the memo
keeps a snapshot of the replay at every ``action_listen`` and resumes from the newest
snapshot that lies before the first changed event. Anything unexpected (a different
domain or options, a restart, a rewind) simply recomputes from the start.

The result is checked against Rasa's own method over real and generated conversations
in ``tests/rasa_ext/test_fastpath.py``.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import deque
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION
from rasa.shared.core.events import ActionExecuted

MEMO_ATTRIBUTE = "_rasa_ext_states_memo"
MAX_SNAPSHOTS = 64


# what an event can change on a tracker (DialogueStateTracker._reset resets exactly these)
_STATE = ("_paused", "followup_action", "latest_action", "latest_message", "latest_bot_utterance")


def _capture(replay: Any) -> tuple[Any, ...]:
    """The replay tracker's state, cheaply: slot objects copied (their value and "has been
    set" flag change), the active loop copied (changed in place), the rest by reference
    (replaced, never changed in place, by events)."""
    loop = replay.active_loop
    return (
        {name: copy.copy(slot) for name, slot in replay.slots.items()},
        dataclasses.replace(loop) if loop is not None else None,
        tuple(getattr(replay, name) for name in _STATE),
    )


def _restore(tracker: Any, captured: tuple[Any, ...]) -> Any:
    slots, loop, values = captured
    replay = tracker.init_copy()
    replay.slots = {name: copy.copy(slot) for name, slot in slots.items()}
    replay.active_loop = dataclasses.replace(loop) if loop is not None else None
    for name, value in zip(_STATE, values, strict=True):
        setattr(replay, name, value)
    return replay


class _Snapshot:
    __slots__ = ("index", "captured", "n_states", "last_ml", "hidden")

    def __init__(
        self, index: int, captured: tuple[Any, ...], n_states: int, last_ml: Any, hidden: bool
    ) -> None:
        self.index, self.captured, self.n_states = index, captured, n_states
        self.last_ml, self.hidden = last_ml, hidden


class _Memo:
    """Replay of ``applied[:done]``: its states, loop variables and snapshots."""

    def __init__(self, tracker: Any) -> None:
        self.applied: list[Any] = []
        self.done = 0
        self.replay = _fresh_replay(tracker)
        self.states: list[Any] = []
        self.last_ml: Any = None
        self.hidden = False
        self.snapshots: deque[_Snapshot] = deque(maxlen=MAX_SNAPSHOTS)

    def rewind_to(self, common: int, tracker: Any) -> None:
        """Go back to a point at or before ``common`` (first changed applied event)."""
        while self.snapshots and self.snapshots[-1].index > common:
            self.snapshots.pop()
        if not self.snapshots:
            self.__init__(tracker)  # type: ignore[misc]
            return
        snap = self.snapshots.pop()  # taken again when the replay passes that event
        self.done = snap.index
        self.replay = _restore(tracker, snap.captured)
        del self.states[snap.n_states :]
        self.last_ml, self.hidden = snap.last_ml, snap.hidden

    def snapshot(self, index: int) -> None:
        self.snapshots.append(
            _Snapshot(index, _capture(self.replay), len(self.states), self.last_ml, self.hidden)
        )


def _fresh_replay(tracker: Any) -> Any:
    return tracker.init_copy()


def _common_prefix(old: list[Any], new: list[Any], limit: int) -> int:
    limit = min(limit, len(old), len(new))
    index = 0
    while index < limit and old[index] is new[index]:
        index += 1
    return index


def _state_for(
    domain: Any,
    replay: Any,
    hide_rule_turn: bool,
    memo: _Memo,
    states: list[Any],
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: Any,
) -> Any | None:
    """One step of Rasa's ``states_for_tracker_history`` loop (same order, same rules)."""
    if ignore_rule_only_turns:
        if not memo.hidden:
            memo.last_ml = domain._get_prev_action_sub_state(replay)
        if not replay.followup_action and not replay.latest_action_name == replay.active_loop_name:
            memo.hidden = hide_rule_turn
        if memo.hidden:
            return None
    state = domain.get_active_state(replay, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if memo.last_ml:
            state[PREVIOUS_ACTION] = memo.last_ml
    return domain._clean_state(state)


def states_for_tracker_history(
    domain: Any,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[Any]:
    """Drop-in for ``Domain.states_for_tracker_history`` (see the module docstring)."""
    key = (id(domain), omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
    memos = tracker.__dict__.setdefault(MEMO_ATTRIBUTE, {})
    memo = memos.get(key)
    if memo is None:
        memo = memos[key] = _Memo(tracker)
    applied = tracker.applied_events()
    common = _common_prefix(memo.applied, applied, memo.done)
    if common < memo.done:
        memo.rewind_to(common, tracker)
    memo.applied = applied
    args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    for index in range(memo.done, len(applied)):
        event = applied[index]
        if isinstance(event, ActionExecuted):
            if event.action_name == ACTION_LISTEN_NAME:
                memo.snapshot(index)
            state = _state_for(domain, memo.replay, event.hide_rule_turn, memo, memo.states, *args)
            if state is not None:
                memo.states.append(state)
        event.apply_to(memo.replay)
        memo.done = index + 1
    # the final state (after the last event) changes with the next event: not memoised
    saved = (memo.last_ml, memo.hidden)
    final = _state_for(domain, memo.replay, False, memo, memo.states, *args)
    memo.last_ml, memo.hidden = saved
    states = list(memo.states)
    if final is not None:
        states.append(final)
    return states
