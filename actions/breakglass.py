"""Emergency access ("break glass") for locating patients outside one's wards.

A staff member holding ``breakglass:use`` who asks for a patient outside their ward scope
is offered emergency access; the ``breakglass_form`` then asks for the reason (free text:
any wording, even one that sounds like an emergency, is the reason). The grant is the audit event
of that access (see ``assistant.audit.breakglass``): time-boxed (``BREAKGLASS_MINUTES``,
default 30), for that staff member and that patient only, and every access under it is
audited with the reason. Reasons are scrubbed of MRNs and the patient's name before they
reach the audit trail (the trail scrubs again), and never logged.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from assistant.audit.breakglass import BreakGlassAccess, active_grant
from assistant.hms.models import Patient
from assistant.logging import redact_phi

PERMISSION = "breakglass:use"
FORM = "breakglass_form"  # asks for the reason (catalog subform)
REASON_SLOT = "breakglass_reason"
PATIENT_SLOT = "breakglass_patient"  # the patient id (a reference, not a name or MRN)
MAX_REASON_CHARS = 200
MIN_REASON_CHARS = 5
_PREFIX = re.compile(r"^\s*(?:break[\s-]*(?:the\s+)?glass|emergency\s+access)\s*[:,-]?\s*", re.I)

OFFER_BUTTONS = [{"title": "Cancel", "payload": "/deny"}]


def breakglass_minutes() -> int:
    """How long a break-glass grant lasts (``BREAKGLASS_MINUTES``, 1..1440, default 30)."""
    from assistant.config import get_settings

    return get_settings().breakglass_minutes


def scrub_reason(text: str, patient: Patient | None = None) -> str:
    """The reason as stored: prefix removed, MRNs and the patient's names redacted, capped."""
    text = " ".join(_PREFIX.sub("", text or "").split())
    names = [n for n in ((patient.given, patient.family) if patient else ()) if len(n) >= 2]
    pattern = None
    if names:
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"(?i)\b(?:{alternation})\b")
    text = redact_phi(text, names=pattern)
    return text[:MAX_REASON_CHARS]


def is_reason(text: str) -> bool:
    """A usable reason: not a button payload and at least a few letters long."""
    stripped = _PREFIX.sub("", text or "").strip()
    return not stripped.startswith("/") and sum(c.isalpha() for c in stripped) >= MIN_REASON_CHARS


def find_grant(
    audit: Any, staff: str, patient_ref: str, now: datetime, minutes: int
) -> BreakGlassAccess | None:
    """The active grant in the audit trail, or None (also when the sink cannot be read)."""
    reader = getattr(audit, "events", None)
    if not callable(reader):  # a sink without a readable trail grants nothing
        return None
    rows = reader(start=now - timedelta(minutes=minutes), staff=staff)
    return active_grant(rows, staff, patient_ref, now, minutes)


def offer_text(own_wards: str, minutes: int) -> str:
    where = f"your wards ({own_wards})" if own_wards else "a ward of yours"
    return (
        f"That patient is not on {where}, so I can't show where they are. "
        f"If this is an emergency you can use emergency access for {minutes} minutes, "
        "recorded with your reason and reviewed daily."
    )


CANCELLED = "OK, no emergency access. Nothing was shown."
