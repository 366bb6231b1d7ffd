"""The guided tour: a few requests to try for the role, confirmed one by one when done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.onboarding.guide import Capability, RoleGuide, common_first

STEPS = 3
SKIP = ("talk_to_human",)  # practice never reaches the help desk


@dataclass(frozen=True)
class TourStep:
    intent: str
    title: str
    say: str


def tour_for(guide: RoleGuide) -> tuple[TourStep, ...]:
    """Up to three everyday tasks of the role, those without patient data first."""
    ordered: list[Capability] = [c for c in common_first(guide) if c.intent not in SKIP]
    ordered.sort(key=lambda c: c.phi)  # stable: keeps the everyday ones first within each
    return tuple(TourStep(c.intent, c.title, c.say) for c in ordered[:STEPS])


def next_step(steps: Sequence[TourStep], done: Sequence[str]) -> TourStep | None:
    return next((s for s in steps if s.intent not in done), None)


def intro(steps: Sequence[TourStep]) -> str:
    if not steps:
        return "Ask me anything your role can do; nothing you do here is real."
    tries = "; ".join(f"{i}. \u201c{s.say}\u201d ({s.title})" for i, s in enumerate(steps, 1))
    return f"A short tour - try these in turn: {tries}. Say \u201cpractice mode off\u201d to leave."


def progress(step: TourStep, steps: Sequence[TourStep], done: Sequence[str]) -> str:
    following = next_step(steps, done)
    count = f"{sum(s.intent in done for s in steps)} of {len(steps)}"
    if following is None:
        return (
            f"\u2713 Done: {step.title} ({count}). Tour complete! Stay in practice as long as "
            "you like, or say \u201cpractice mode off\u201d to go back to real work."
        )
    return f"\u2713 Done: {step.title} ({count}). Next, try \u201c{following.say}\u201d."
