"""The safety net's own replies (no PHI: the number and the kind of emergency only)."""

from __future__ import annotations

from assistant.conversation import Reply
from assistant.conversation.kinds import CautionData, EmergencyData
from assistant.safety.detector import Assessment

EMERGENCY_KIND = "emergency_answer"
CAUTION_KIND = "emergency_caution"


def emergency_reply(number: str, assessment: Assessment, label: str = "emergency") -> Reply:
    """The first reply to an emergency: the number, at once."""
    what = f" ({label})" if label and label != "emergency" else ""
    return Reply(
        f"This is an emergency: call {number} now{what}. I can't raise emergency calls myself.",
        custom={
            "phi": False,
            "kind": EMERGENCY_KIND,
            "data": EmergencyData(number=number, emergency=assessment.kind or "emergency"),
        },
    )


def caution_reply(number: str) -> Reply:
    """Prepended when the message might be an emergency; the conversation carries on."""
    return Reply(
        f"If this is an emergency, call {number} now.",
        custom={"phi": False, "kind": CAUTION_KIND, "data": CautionData(number=number)},
    )
