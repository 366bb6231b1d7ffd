"""The loaded model kept out of the garbage collector's passes.

A Rasa worker holds a few million long-lived objects once its model is loaded (TensorFlow,
scikit-learn, spaCy's and Rasa's own modules, the trained graph); every full collection
walks all of them while the worker answers nobody, and a message that arrives meanwhile
waits. Once the agent is loaded, one collection and ``gc.freeze()`` move everything alive
into the permanent generation, so later collections walk only what messages allocate
(CPython's documented use of ``gc.freeze``; the per-message objects are collected as before).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from assistant.heap import settle


def freeze_after_model_load() -> None:
    """Wrap Rasa's ``before_server_start`` agent loader so the heap settles after it."""
    import rasa.core.run as run

    loader = run.load_agent_on_start
    if getattr(loader, "settles_heap", False):
        return

    @wraps(loader)
    async def load_then_settle(*args: Any, **kwargs: Any) -> Any:
        agent = await loader(*args, **kwargs)
        settle()
        return agent

    load_then_settle.settles_heap = True  # type: ignore[attr-defined]
    run.load_agent_on_start = load_then_settle
