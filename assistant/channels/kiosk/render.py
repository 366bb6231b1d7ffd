"""Shape assistant replies for a screen and a loudspeaker in a public place.

Minimum necessary (``assistant.conversation.delivery``: the kiosk is a shared screen): a
reply marked ``custom.phi`` is rebuilt from ``custom.data`` as room and bed + initials +
last four digits of the MRN (one patient, ``PatientPlaceData``, or a list,
``PatientListData``: who is in each bed of a ward, a clinic's day list); the assistant's
own text (which may carry a full name) is never shown or spoken. Anything with PHI that
cannot be rebuilt this way is withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from assistant.conversation import Reply
from assistant.conversation.delivery import Handling, Surface, handling
from assistant.conversation.kinds import PatientListData, PatientPlaceData

WITHHELD = "That answer includes patient details I can't show on a shared screen. Please use Slack."


@dataclass(frozen=True)
class KioskReply:
    text: str
    speech: str
    buttons: tuple[dict[str, str], ...] = ()
    kind: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = list(self.buttons)
        return out


def _patient_line(data: PatientPlaceData) -> tuple[str, str] | None:
    initials, last4 = data.get("initials"), str(data.get("mrn_last4") or "")
    where = [
        f"ward {data['ward']}" if data.get("ward") else "",
        str(data["room"]) if data.get("room") else "",
        f"bed {data['bed']}" if data.get("bed") else "",
    ]
    place = ", ".join(p for p in where if p)
    if not initials or not last4:
        return None
    who = f"Patient {initials}, MRN ending {last4}"
    text = f"{who}: {place}." if place else f"{who}: no current bed."
    spoken_who = f"Patient {' '.join(str(initials))}, M R N ending {' '.join(last4)}"
    return text, (f"{spoken_who}: {place}." if place else f"{spoken_who}: no current bed.")


def _list_lines(data: PatientListData) -> tuple[str, str] | None:
    """A ward's beds (``patients``) or a clinic's day (``appointments``) as initials only."""
    rows = []
    for bed in data.get("patients") or []:
        if bed.get("initials") and bed.get("bed"):
            rows.append(f"{bed['bed']}: {bed['initials']}")
    for appt in data.get("appointments") or []:
        if appt.get("initials") and appt.get("start"):
            rows.append(f"{str(appt['start'])[11:16]} {appt['initials']}")
    if not rows:
        return None
    head = f"Ward {data['ward']}" if data.get("ward") else "List"
    text = f"{head}: " + "; ".join(rows) + "."
    return text, text


def render(reply: Reply) -> KioskReply:
    kind = reply.kind
    buttons = tuple({"title": b.title, "payload": b.payload} for b in reply.buttons)
    if handling(reply, Surface.SHARED_SCREEN) is Handling.MINIMUM_NECESSARY:
        line = _patient_line(cast(PatientPlaceData, reply.data)) or _list_lines(
            cast(PatientListData, reply.data)
        )
        if line is None:
            return KioskReply(WITHHELD, WITHHELD, (), kind)
        return KioskReply(line[0], line[1], (), kind)
    return KioskReply(reply.text, reply.text, buttons, kind)


def render_all(replies: list[Reply]) -> list[KioskReply]:
    return [render(r) for r in replies]
