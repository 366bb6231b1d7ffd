"""assistant.heap: what is alive at start-up leaves the collector's passes."""

from __future__ import annotations

import gc

from assistant.heap import settle


def test_settle_freezes_what_is_alive_and_later_garbage_is_still_collected():
    class Node:
        pass

    kept = Node()
    try:
        # (the count can drop by a few as frozen objects die: threads of other tests)
        assert settle() > 1000 and gc.get_freeze_count() > 1000
        assert not any(o is kept for o in gc.get_objects())  # out of every generation
        loop = Node()
        loop.me = loop  # type: ignore[attr-defined]
        del loop
        assert gc.collect() >= 1  # a cycle made after settling is still collected
    finally:
        gc.unfreeze()
