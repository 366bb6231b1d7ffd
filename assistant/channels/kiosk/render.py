"""Shape assistant replies for a screen and a loudspeaker in a public place.

Minimum necessary: a reply marked ``custom.phi`` is rebuilt from ``custom.data`` as room
and bed + initials + last four digits of the MRN (one patient, or a list: who is in each
bed of a ward, a clinic's day list); the assistant's own text (which may carry a full
name) is never shown or spoken. Anything with PHI that cannot be rebuilt this way is
withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.channels.base import Reply

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


def _patient_line(data: dict[str, Any]) -> tuple[str, str] | None:
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


def _list_lines(data: dict[str, Any]) -> tuple[str, str] | None:
    """A ward's beds (``patients``) or a clinic's day (``appointments``) as initials only."""
    rows = []
    for item in data.get("patients") or []:
        if isinstance(item, dict) and item.get("initials") and item.get("bed"):
            rows.append(f"{item['bed']}: {item['initials']}")
    for item in data.get("appointments") or []:
        if isinstance(item, dict) and item.get("initials") and item.get("start"):
            rows.append(f"{str(item['start'])[11:16]} {item['initials']}")
    if not rows:
        return None
    head = f"Ward {data['ward']}" if data.get("ward") else "List"
    text = f"{head}: " + "; ".join(rows) + "."
    return text, text


def render(reply: Reply) -> KioskReply:
    custom = reply.custom or {}
    kind = str(custom.get("kind", ""))
    buttons = tuple({"title": b.title, "payload": b.payload} for b in reply.buttons)
    if custom.get("phi"):
        data = custom.get("data") or {}
        line = None
        if isinstance(data, dict):
            line = _patient_line(data) or _list_lines(data)
        if line is None:
            return KioskReply(WITHHELD, WITHHELD, (), kind)
        return KioskReply(line[0], line[1], (), kind)
    return KioskReply(reply.text, reply.text, buttons, kind)


def render_all(replies: list[Reply]) -> list[KioskReply]:
    return [render(r) for r in replies]
