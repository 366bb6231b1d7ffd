"""Help requests: what staff say about them, read."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("urgnt", "urgent"),
        ("urgetn", "urgent"),
        ("rutine", "routine"),
        ("routne pls", "routine"),
        ("imediately", "stat"),
        ("urgent", "urgent"),
        ("start", None),
        ("the printer is jammed", None),
    ],
)
def test_help_a_misspelt_priority_answer_is_that_priority(said, code):
    # n.jones "urgnt" to "How urgent is it?" -> "Is it routine, urgent, or needed
    # immediately?" and the question asked again
    from actions.help import priority_code

    assert priority_code(said) == code
