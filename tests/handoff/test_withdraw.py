"""What counts as withdrawing a help-desk request while waiting for a person."""

from __future__ import annotations

import pytest

from assistant.handoff.withdraw import is_withdrawal, withdrawal_then

WITHDRAWS = [
    "cancel",
    "Cancel.",
    "never mind, sorted it",
    "forget it",
    "I don't need help any more",
    "i dont need help anymore",
    "ok it's sorted now thanks",
    "cancel my request please",
    "actually I'll manage, thanks",
    "problem solved",
    "no longer needed",
    "it's working now",
    "nevermind",
    "nevr mind",  # typos
    "forgt it",
    "i dont need help anymroe",
    "its fine now thx",  # chat shorthand for thanks
    "all sorted ty",
    "ok cancel the person thing",  # the handoff named by what it asked for
    "scrap the help desk request",
    "i dont need the person anymore",
]
NOT_WITHDRAWS = [
    "no",
    "yes",
    "ok",
    "thanks",
    "cancel the appointment for bed 4",
    "don't cancel, I still need help",
    "the printer is still broken",
    "is it sorted yet?",
    "it's not working",
    "when will someone come",
    "/talk_to_human",
    "seven mind",
    "handle it",
]


@pytest.mark.parametrize("text", WITHDRAWS)
def test_withdraw_phrases_are_understood(text):
    assert is_withdrawal(text)


@pytest.mark.parametrize("text", NOT_WITHDRAWS)
def test_withdraw_other_messages_are_relayed(text):
    assert not is_withdrawal(text)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("actually never mind, any free beds on 4B?", "any free beds on 4B?"),
        ("forget it. can you book a porter to ICU", "can you book a porter to ICU"),
        ("never mind - porter to ICU bed 3 please", "porter to ICU bed 3 please"),
        ("never mind, sorted it", None),  # all of it withdraws
        ("cancel, I still need someone", None),
        ("never mind the printer, my login is broken now", None),
        ("is anyone there?", None),
    ],
)
def test_withdraw_then_a_request_gives_the_request(text, rest):
    assert withdrawal_then(text) == rest
