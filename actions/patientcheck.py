"""The patient a form is given, checked against the HMS while the form still asks.

A patient the HMS does not have is answered at once (``unknown_patient``) and asked for
again, not found out only after every other question (a booking used to ask the clinic
and the time first, then stop). Finding a patient needs a name or an MRN the HMS knows;
booking, moving and cancelling need an MRN the HMS knows whose patient has that name.
The identifier just given is taken back (the one held before stays) and the question
counts as missed, so the second miss offers a choice and the help desk
(``actions.asks``) and the third ends the form. Nothing about the patient is said back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from actions.formats import MrnFormat
from actions.scheduling import same_patient
from actions.slotvalues import Reply
from assistant.hms.errors import HmsError
from assistant.hms.protocol import HmsClient
from intents.catalog import Form

IDENTIFIERS = ("patient_name", "mrn")


@dataclass(frozen=True)
class Miss:
    reply: Reply
    cleared: tuple[str, ...]  # the identifiers taken back
    ask: str  # the question to ask again


def _miss(text: str, value: str, cleared: tuple[str, ...], ask: str) -> Miss:
    data = {"value": value, "suggestions": []}
    return Miss(Reply(text, "unknown_patient", data), cleared, ask)


async def check_patient(
    form: Form,
    values: dict[str, Any],
    given: set[str],
    mrn_format: MrnFormat,
    reader: Callable[[], Awaitable[HmsClient | None]],
) -> Miss | None:
    """The miss when the identifiers ``given`` in this message name no patient the HMS
    has (with those ``values``); None when they do, or cannot be checked now."""
    if not given & set(IDENTIFIERS) or "patient_name" not in form.required:
        return None
    name = str(values.get("patient_name") or "").strip()
    mrn = mrn_format.find(str(values.get("mrn") or "")) or ""
    needs_both = "mrn" in form.required
    if needs_both and not (name and mrn):
        return None
    if not needs_both and not (name or mrn):
        return None
    hms = await reader()
    if hms is None:
        return None  # the guarded action checks (and refuses) as before
    try:
        found = await hms.find_patients(mrn=mrn or None, name=None if mrn else name)
    except HmsError:
        return None
    just_given = tuple(s for s in IDENTIFIERS if s in given)
    if not needs_both:
        if found:
            return None
        what = "MRN" if mrn else "name"
        return _miss(
            f"I couldn't find a patient with that {what}.",
            what.lower(),
            IDENTIFIERS,
            "patient_name",
        )
    if not found:
        return _miss(
            "I couldn't find a patient with that MRN. Please check it.", "mrn", ("mrn",), "mrn"
        )
    if any(same_patient(p, mrn, name) for p in found):
        return None
    cleared = just_given if len(just_given) == 1 else IDENTIFIERS
    return _miss(
        "That MRN and name don't belong to the same patient. Please check "
        + (
            "the MRN."
            if cleared == ("mrn",)
            else "the name."
            if cleared == ("patient_name",)
            else "both."
        ),
        "mrn_and_name",
        cleared,
        cleared[0],
    )
