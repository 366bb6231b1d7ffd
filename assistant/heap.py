"""A long-running process's start-up objects kept out of the garbage collector's passes.

After start-up a server holds its modules, classes, compiled patterns and loaded models
for its whole life; every full collection walks them all while no request is answered.
``settle()`` - one collection, then ``gc.freeze()`` - moves what is alive into the
permanent generation, so later collections walk only what requests allocate (CPython's
documented use of ``gc.freeze``). Called by the gateway and the action server just before
they serve, and by Rasa's workers once the model is loaded (``rasa_ext.heap``).
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect once, then freeze what is alive; the number of objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
