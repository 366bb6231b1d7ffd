"""A per-worker cache of live conversation trackers (Rasa side, Python 3.10).

The gateway pins every conversation to one Rasa worker (a hash of its sender id), so the
worker that served the last turn normally serves the next one too. Keeping that worker's
``DialogueStateTracker`` in memory saves reading, decrypting and replaying the whole
session from the database on every message.

An entry is used only while it provably matches the database:

- ``last_id`` is the highest event row id this worker wrote or read for the sender; the
  store compares it with the database's before every use. Another worker writing to the
  conversation (the gateway re-routed it while this one was down), an erase or a purge
  changes that number, and the entry is dropped and the tracker read afresh.
- ``saved`` is how many of the tracker's events are in the database. A turn that failed
  half-way leaves unsaved events on the object: the entry is dropped, not reused.

Least recently used entries are evicted beyond ``capacity``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

DEFAULT_CAPACITY = 2000


@dataclass
class CachedTracker:
    tracker: Any  # rasa.shared.core.trackers.DialogueStateTracker
    last_id: int | None  # highest event row id of the sender known to be in the database
    saved: int  # number of ``tracker.events`` already in the database

    def is_clean(self) -> bool:
        return len(self.tracker.events) == self.saved


class TrackerCache:
    """LRU map sender id -> ``CachedTracker``; counts hits and misses for the figures."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = max(0, capacity)
        self._entries: OrderedDict[str, CachedTracker] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, sender_id: str) -> CachedTracker | None:
        return self._entries.get(sender_id)

    def lookup(self, sender_id: str, db_last_id: int | None) -> Any | None:
        """The cached tracker if it is clean and the database has nothing newer, else None."""
        entry = self._entries.get(sender_id)
        if entry is not None and entry.is_clean() and entry.last_id == db_last_id:
            self._entries.move_to_end(sender_id)
            self.hits += 1
            return entry.tracker
        if entry is not None:
            del self._entries[sender_id]
        self.misses += 1
        return None

    def put(self, sender_id: str, tracker: Any, last_id: int | None, saved: int) -> None:
        if self.capacity == 0:
            return
        self._entries[sender_id] = CachedTracker(tracker, last_id, saved)
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def drop(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def clear(self) -> None:
        self._entries.clear()
