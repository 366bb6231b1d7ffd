"""A message at "Which appointment should I cancel / move?" that picks none of them.

- "no leave it", "keep it actually", "no wait, keep it": the cancel or move is called off
  and nothing changes (the list was asked again and again, and a later "Shall we carry on
  cancelling ...?" could still take it up);
- "the cardiology one" (or "cancel her cardiology appointment") when none of the patient's
  appointments is in that clinic: said so before the list is asked again (it was asked
  again silently, as if the clinic had not been heard).
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from actions.base import ActionContext
from actions.formats import clinic_word
from actions.reading import says_no
from actions.timeparse import parse_time_preference
from assistant.hms.models import Appointment, Patient

# "keep it", "leave them", "don't cancel", "no need": the appointment stays as it is
_KEEPS = re.compile(
    r"\b(?:keep|leave)\s+(?:it|them|that|this|both|all|(?:the|her|his)\s+appo?i?n?t?m?e?n?ts?)\b"
    r"|\b(?:don'?t|do\s+not)\s+(?:cancel|move|change)\b|\bno\s+need\b",
    re.I,
)


def _latest(ctx: ActionContext) -> dict[str, Any]:
    return ctx.tracker.latest_message or {}


def keeps_them(ctx: ActionContext) -> bool:
    """The message calls the cancel or move off at its pick ("no leave it", "keep it
    actually", "no"), naming nothing that could pick one."""
    message = _latest(ctx)
    text = str(message.get("text") or "")
    if not text.strip() or text.lstrip().startswith("/") or message.get("entities"):
        return False
    return bool(_KEEPS.search(text)) or (ctx.intent in ("deny", "stop") and says_no(text))


def kept(ctx: ActionContext, kind: str, patient: Patient) -> None:
    ctx.say(
        f"OK, I've left {patient.initials}'s appointments as they are.",
        kind=f"{kind}_kept",
        phi=True,
    )


def clinic_not_among(
    ctx: ActionContext, appts: list[Appointment], *, said_now: bool = True
) -> str | None:
    """ "KD has no Cardiology appointment. " when the clinic named (in the latest message,
    or held from the request when ``said_now`` is False) is none of ``appts``' clinics;
    "" otherwise."""
    department = ctx.text("department")
    named = any(e.get("entity") == "department" for e in _latest(ctx).get("entities") or [])
    if not department or not appts or (said_now and not named):
        return None
    if any((a.service_code or "").casefold() == department.casefold() for a in appts):
        return None
    return f"no {clinic_word(department)} appointment"


def the_offered(ctx: ActionContext, appts: list[Appointment]) -> list[Appointment]:
    """Of the patient's appointments, those of the list just asked ("Which appointment
    should I cancel?" with her three orthopaedics ones): "yes" to it asked again with all
    five of hers. All of ``appts`` when none of them was offered, or the message names a
    clinic or a day of its own."""
    entities = _latest(ctx).get("entities") or []
    if any(e.get("entity") in ("department", "time") for e in entities):
        return appts  # "the cardiology one" instead: among all of hers
    offered = ctx.slot("offered") or {}
    ids = offered.get("ids") if offered.get("kind") == "appointment" else None
    among = [a for a in appts if a.id in (ids or ())]
    return among or appts


def named_among(ctx: ActionContext, appts: list[Appointment]) -> list[Appointment]:
    """Of ``appts`` (those offered), the ones in the clinic and on the day the latest
    message names ("the cardiology ones", "the tuesday one" when several are): the list
    asked again narrowed to them, so "the first one" then picks among them; all of
    ``appts`` when it names neither, or nothing matches."""
    tz = ctx.services.settings.hospital_tz
    entities = _latest(ctx).get("entities") or []
    department = ctx.text("department")
    if department and any(e.get("entity") == "department" for e in entities):
        same = [a for a in appts if (a.service_code or "").casefold() == department.casefold()]
        appts = same or appts
    days = [str(e.get("value")) for e in entities if e.get("entity") == "time" and e.get("value")]
    pref = parse_time_preference(days[-1], ctx.now, tz) if days else None
    if pref is not None:
        day = pref.target.astimezone(ZoneInfo(tz)).date()
        same = [a for a in appts if a.start and a.start.astimezone(ZoneInfo(tz)).date() == day]
        appts = same or appts
    return appts
