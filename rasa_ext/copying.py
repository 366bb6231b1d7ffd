"""``DialogueStateTracker.copy`` without replaying the conversation.

Rasa copies the tracker before running every action (to drop the policy's events if the
action is rejected) by replaying all its events into a new tracker: a cost that grows with
the conversation, paid several times per turn. The replay ends in the state the tracker
is in, with one exception: the processor clears ``followup_action`` directly, not through
an event, so the replay's value is the one the events give. ``copy`` here takes the state
from the tracker, works out ``followup_action`` from the last events that decide it, and
falls back to Rasa's replay when those include a reset (restart, session start, rewind) or
an event it does not know. Checked against Rasa's own in ``tests/rasa_ext/test_fastpath.py``.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import deque
from typing import Any

from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    AgentUttered,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    FollowupAction,
    LoopInterrupted,
    SlotSet,
    UserUttered,
)

from rasa_ext.applied import MEMO_ATTRIBUTE, _Applied

_UNKNOWN = object()
# events whose apply_to never touches followup_action
_NEUTRAL = (
    SlotSet,
    BotUttered,
    AgentUttered,
    ActiveLoop,
    LoopInterrupted,
    ActionExecutionRejected,
    EntitiesAdded,
    DefinePrevUserUtteredFeaturization,
)


def replayed_followup(tracker: Any) -> Any:
    """``followup_action`` as replaying ``tracker.events`` would leave it, or ``_UNKNOWN``."""
    for event in reversed(tracker.events):
        if isinstance(event, FollowupAction):
            return event.action_name
        if isinstance(event, ActionExecuted | UserUttered):
            return None
        if not isinstance(event, _NEUTRAL):
            return _UNKNOWN
    return _UNKNOWN  # no deciding event: the initial state (Rasa's replay decides)


def make_copy(original_copy: Any) -> Any:
    def copy_tracker(self: Any) -> Any:
        followup = replayed_followup(self)
        if followup is _UNKNOWN:
            return original_copy(self)
        new = self.init_copy()
        new.events = deque(self.events, maxlen=self.events.maxlen)
        new.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
        new.active_loop = dataclasses.replace(self.active_loop) if self.active_loop else None
        new._paused = self._paused
        new.latest_action = self.latest_action
        new.latest_message = self.latest_message
        new.latest_bot_utterance = self.latest_bot_utterance
        new.followup_action = followup
        memo: _Applied | None = self.__dict__.get(MEMO_ATTRIBUTE)
        if memo is not None:  # the copy goes on from the same applied history
            mine = _Applied()
            mine.seen, mine.last = memo.seen, memo.last
            mine.loop_names = set(memo.loop_names)
            mine.applied = list(memo.applied)
            new.__dict__[MEMO_ATTRIBUTE] = mine
        return new

    return copy_tracker
