"""Shared helpers of the whole-conversation scenario tests (REST channel, real stack).

``Chat`` is one staff conversation: ``say`` sends a message and keeps the transcript for
assertion messages; ``fill`` answers a form's questions from a dict keyed by the slot the
assistant asks for (reply kind ``ask_<slot>``, the reply facts, not the wording). ``Hms``
reads the reference HMS directly (bypassing the assistant) so the assistant's answers can
be checked against hospital data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Turn:
    """The assistant's replies to one message."""

    said: str
    replies: tuple[dict[str, Any], ...]

    @property
    def text(self) -> str:
        return "\n".join(r.get("text") or "" for r in self.replies)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for r in self.replies for b in (r.get("buttons") or [])]

    def payload(self, pattern: str) -> str:
        """The payload of the first button whose payload matches ``pattern`` (regex)."""
        for button in self.buttons:
            if re.search(pattern, button["payload"]):
                return button["payload"]
        raise AssertionError(f"no button payload matching {pattern!r} in {self.buttons}")

    def asks(self) -> str | None:
        """Which form slot the last question asks for (reply kind ``ask_<slot>``), if any."""
        asked = [
            kind.removeprefix("ask_")
            for kind in self.kinds
            if kind.startswith("ask_") and kind != "ask_capabilities_success"
        ]
        return asked[-1] if asked else None

    @property
    def kinds(self) -> list[str]:
        return [str((r.get("custom") or {}).get("kind") or "") for r in self.replies]

    def data(self, kind: str) -> dict[str, Any]:
        """``custom.data`` of the first reply of that kind (``{}`` when there is none)."""
        for reply in self.replies:
            custom = reply.get("custom") or {}
            if custom.get("kind") == kind:
                return dict(custom.get("data") or {})
        return {}


@dataclass
class Chat:
    """One REST conversation of one staff member with the running stack."""

    stack: Any
    username: str
    conversation_id: str | None = None
    turns: list[Turn] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.token = self.stack.token(self.username)

    def say(self, text: str) -> Turn:
        data = self.stack.post_message(self.token, text, self.conversation_id)
        self.conversation_id = data["conversation_id"]
        turn = Turn(text, tuple(data["replies"]))
        self.turns.append(turn)
        return turn

    def fill(
        self, answers: dict[str, str], done: Callable[[Turn], bool], max_turns: int = 6
    ) -> Turn:
        """Answer the form's questions from ``answers`` until ``done(turn)``."""
        turn = self.turns[-1]
        for _ in range(max_turns):
            if done(turn):
                return turn
            wanted = turn.asks()
            assert wanted in answers, f"unexpected question ({wanted}):\n{self.transcript()}"
            turn = self.say(answers[wanted])
        assert done(turn), f"form did not finish:\n{self.transcript()}"
        return turn

    def transcript(self) -> str:
        lines = []
        for turn in self.turns:
            lines.append(f"{self.username}> {turn.said}")
            lines += [
                f"  bot> {r.get('text')}  {[b['title'] for b in r.get('buttons') or []]}"
                for r in turn.replies
            ]
        return "\n".join(lines)


def denial_of(permission: str, role: str) -> Callable[[Turn], bool]:
    """The denial sentence: the role needed and the user's role, in staff's words (the
    permission code is the audit event's, never said)."""
    return lambda turn: (
        "role; you are signed in as" in turn.text
        and f"signed in as {role.replace('_', ' ')}" in turn.text
        and permission not in turn.text
    )


@dataclass(frozen=True)
class PatientInfo:
    id: str
    given: str
    family: str
    mrn: str

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def initials(self) -> str:
        return f"{self.given[:1]}{self.family[:1]}".upper()


class Hms:
    """Raw reads (and the rare direct write) against the reference HMS."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self.stack.fhir_get(path, **params)

    def entries(self, path: str, **params: Any) -> list[dict[str, Any]]:
        params.setdefault("_count", 500)
        return [e["resource"] for e in self.get(path, **params).get("entry") or []]

    def total(self, path: str, **params: Any) -> int:
        bundle = self.get(path, **params)
        if isinstance(bundle.get("total"), int):
            return int(bundle["total"])
        return len(bundle.get("entry") or [])

    def free_beds(self, ward_code: str) -> int:
        return self.total(
            "Location", partof=f"Location/ward-{ward_code.lower()}", **{"operational-status": "U"}
        )

    def beds(self, ward_code: str, status: str) -> list[dict[str, Any]]:
        return self.entries(
            "Location",
            partof=f"Location/ward-{ward_code.lower()}",
            **{"operational-status": status},
        )

    def bed_status(self, bed_id: str) -> str:
        return str(self.get(f"Location/{bed_id}")["operationalStatus"]["code"])

    def patient(self, patient_id: str) -> PatientInfo:
        res = self.get(f"Patient/{patient_id}")
        name = res["name"][0]
        mrn = next(i["value"] for i in res["identifier"] if i["system"] == "urn:hms:mrn")
        return PatientInfo(res["id"], " ".join(name.get("given", [])), name["family"], mrn)

    def admitted(self, ward_code: str, skip: int = 0) -> tuple[PatientInfo, dict[str, Any]]:
        """The ``skip``-th patient (unique name) admitted to an occupied bed on the ward."""
        # uniqueness from one full listing: searching by name would put the name in the
        # HMS access log
        counts: dict[str, int] = {}
        for res in self.entries("Patient", _count=1000):
            name = res["name"][0]
            full = f"{' '.join(name.get('given', []))} {name['family']}".casefold()
            counts[full] = counts.get(full, 0) + 1
        names = {}
        found = []
        for bed in self.beds(ward_code, "O"):
            stays = self.entries(
                "Encounter", location=f"Location/{bed['id']}", status="in-progress"
            )
            if not stays:
                continue
            pid = stays[0]["subject"]["reference"].split("/", 1)[1]
            info = self.patient(pid)
            if info.full_name in names:
                continue
            names[info.full_name] = True
            if counts.get(info.full_name.casefold()) == 1:
                found.append((info, bed))
            if len(found) > skip:
                return found[skip]
        raise AssertionError(f"no uniquely named admitted patient on {ward_code}")

    def outpatient(self, skip: int = 0, min_booked: int = 1) -> PatientInfo:
        """A patient with at least ``min_booked`` booked appointments (seeded)."""
        seen = 0
        for res in self.entries("Patient", _count=60):
            info = self.patient(res["id"])
            if len(self.booked(info.id)) >= min_booked:
                if seen == skip:
                    return info
                seen += 1
        raise AssertionError("no outpatient with booked appointments")

    def booked(self, patient_id: str) -> list[dict[str, Any]]:
        return self.entries("Appointment", patient=f"Patient/{patient_id}", status="booked")

    def slot(self, slot_id: str) -> dict[str, Any]:
        return self.get(f"Slot/{slot_id}")

    def task(self, ticket_id: str) -> list[dict[str, Any]]:
        return self.entries("Task", identifier=f"urn:hms:ticket|{ticket_id}")

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.put(
            self.stack.urls["fhir"].rstrip("/") + "/" + path,
            json=body,
            headers={
                "Authorization": f"Bearer {self.stack.stack.secrets['HMS_API_TOKEN']}",
                "Content-Type": "application/fhir+json",
                "X-Acting-Staff": "b.okoro",
            },
            timeout=30.0,
        )
        response.raise_for_status()
        return response.json()


SLOT_PAYLOAD = r'^/inform\{"slot_id":"([^"]+)"\}$'
APPOINTMENT_PAYLOAD = r'/inform\{"appointment_id":"%s"\}'


def slot_choices(turn: Turn) -> list[str]:
    """Slot ids offered as buttons in a booking/rescheduling offer."""
    ids = []
    for button in turn.buttons:
        match = re.match(SLOT_PAYLOAD, button["payload"])
        if match:
            ids.append(match.group(1))
    return ids
