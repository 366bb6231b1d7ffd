"""What a turn was and how it ended, read from the replies' ``custom.kind`` (no text).

Reply kinds follow the reply-facts contract: ``<intent>_<outcome>`` for task answers,
``ask_<slot>`` for form questions, ``nlu_fallback_rephrase`` / ``nlu_fallback_clarify`` /
``fallback_default`` for the fallback, ``emergency_answer`` / ``emergency_caution``,
``handoff_waiting``, ``unknown_<entity>``, ``resume_offer``, ``stop_ok``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.conversation import Reply

FALLBACK_KINDS = ("nlu_fallback_rephrase", "nlu_fallback_clarify", "fallback_default")
# the messages kept for the "not understood" review: a miss or the clarifying question
REVIEW_KINDS = ("nlu_fallback_rephrase", "nlu_fallback_clarify")
EMERGENCY_KINDS = ("emergency_answer", "emergency_caution")
HANDOFF_KINDS = ("handoff_waiting", "handoff_withdrawn")
FAILURE_SUFFIXES = ("error", "invalid", "unavailable", "failed", "conflict", "timeout")
DENIED_SUFFIXES = ("denied", "refused")
# a task still asking (choose, confirm, give a reason): the turn is a question, not an answer
QUESTION_SUFFIXES = (
    "pick",
    "confirm",
    "offer",
    "ask",
    "ambiguous",
    "need_identifiers",
    "ask_reason",
)
# outcomes of a turn; success/denied/failure are task answers (the task success rate)
OUTCOMES = (
    "success",
    "denied",
    "failure",
    "fallback",
    "question",
    "handoff",
    "emergency",
    "other",
)
TASK_OUTCOMES = ("success", "denied", "failure")


@dataclass(frozen=True)
class TurnClass:
    intent: str | None
    outcome: str
    kind: str | None


def reply_kinds(replies: Iterable[Reply]) -> list[str]:
    kinds = []
    for reply in replies:
        if reply.kind:
            kinds.append(reply.kind)
    return kinds


def _task(kind: str, intents: Sequence[str]) -> tuple[str, str] | None:
    """``<intent>_<suffix>`` -> (intent, suffix), longest matching intent name first."""
    for name in sorted(intents, key=len, reverse=True):
        if kind.startswith(name + "_"):
            return name, kind[len(name) + 1 :]
    return None


def classify(kinds: Sequence[str], intents: Sequence[str]) -> TurnClass:
    """The turn's class from its reply kinds, most telling first (``intents``: task intents)."""
    for kind in kinds:
        if kind in EMERGENCY_KINDS:
            return TurnClass("emergency", "emergency", kind)
    for kind in kinds:
        if kind in FALLBACK_KINDS:
            return TurnClass(None, "fallback", kind)
    for kind in kinds:
        if kind in HANDOFF_KINDS:
            return TurnClass("talk_to_human", "handoff", kind)
    for kind in kinds:
        task = _task(kind, intents)
        if task is None:
            continue
        intent, suffix = task
        if intent == "talk_to_human":
            return TurnClass(intent, "handoff", kind)
        if suffix in DENIED_SUFFIXES:
            return TurnClass(intent, "denied", kind)
        if suffix in FAILURE_SUFFIXES:
            return TurnClass(intent, "failure", kind)
        if suffix in QUESTION_SUFFIXES:
            return TurnClass(intent, "question", kind)
        return TurnClass(intent, "success", kind)
    for kind in kinds:
        if kind.startswith(("ask_", "choose_", "unknown_")) or kind == "resume_offer":
            return TurnClass(None, "question", kind)
    return TurnClass(None, "other", kinds[0] if kinds else None)
