"""Outcome checks of a dialogue, read from the HMS (FHIR API) and the assistant store.

``OutcomeProbe.before`` snapshots what the outcome checks compare (counts, versions) and
``after`` returns what is wrong. Counts are per conversation (``delta`` = after - before),
so conversations do not depend on each other or on the order they run in.

- ``appointment``: the patient's (by MRN) appointments with that status (and clinic).
- ``bed``: the bed's final operational status (v2-0116 code).
- ``task``: help requests whose requester is the conversation's staff member, filtered by
  type / priority / ward / description text.
- ``handoff``: the conversation's help-desk tickets in the assistant store ("none" = no
  ticket; "withdrawn" also accepts a ticket the requester withdrew, stored as resolved).
- ``nothing_written``: every bed's version, the Task count and the Appointment counts per
  status are unchanged. (An appointment moved between slots without a status change is
  seen only by an ``appointment`` check naming the patient.)
"""

from __future__ import annotations

import re
from typing import Any

from tests.dialogues.dialogue_format import (
    AppointmentCheck,
    BedCheck,
    HandoffCheck,
    Outcome,
    TaskCheck,
)

APPOINTMENT_STATUSES = ("booked", "cancelled", "fulfilled", "noshow", "proposed", "pending")


def _entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry") or [] if "resource" in e]


def _total(bundle: dict[str, Any]) -> int:
    total = bundle.get("total")
    return int(total) if isinstance(total, int) else len(bundle.get("entry") or [])


class OutcomeProbe:
    """Snapshots before the conversation, checks after it."""

    def __init__(self, stack: Any, username: str, sender: str) -> None:
        self.stack = stack
        self.username = username
        self.sender = sender
        self._before: dict[str, Any] = {}
        self._ids: dict[str, str] = {}

    # -- reads ---------------------------------------------------------------------------

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        return dict(self.stack.fhir_get(path, **params))

    def patient_id(self, mrn: str) -> str:
        if mrn not in self._ids:
            found = _entries(self._get("Patient", identifier=mrn))
            if not found:
                raise AssertionError(f"no patient with MRN {mrn} in the HMS (check the file)")
            self._ids[mrn] = str(found[0]["id"])
        return self._ids[mrn]

    def practitioner_id(self) -> str:
        key = "@" + self.username
        if key not in self._ids:
            found = _entries(self._get("Practitioner", identifier=self.username))
            if not found:
                raise AssertionError(f"no practitioner {self.username} in the HMS")
            self._ids[key] = str(found[0]["id"])
        return self._ids[key]

    def appointments(self, check: AppointmentCheck) -> int:
        params: dict[str, Any] = {
            "patient": f"Patient/{self.patient_id(check.mrn)}",
            "status": check.status,
            "_count": 1,
        }
        if check.department:
            params["service-type"] = check.department
        return _total(self._get("Appointment", **params))

    def bed_status(self, label: str) -> str | None:
        found = _entries(self._get("Location", identifier=label))
        bed = found[0] if found else self._get(f"Location/bed-{label.lower()}")
        status = (bed.get("operationalStatus") or {}).get("code")
        return str(status) if status else None

    def tasks(self, check: TaskCheck) -> int:
        bundle = self._get("Task", requester=f"Practitioner/{self.practitioner_id()}", _count=1000)
        return sum(1 for task in _entries(bundle) if _task_matches(task, check))

    def handoff_statuses(self) -> list[str]:
        from sqlalchemy import select

        from assistant.store import open_store_at
        from assistant.store.models import HelpdeskTicket

        store = open_store_at(store_url(self.stack.env), migrate=False)
        try:
            query = select(HelpdeskTicket.status).where(
                HelpdeskTicket.conversation_id == self.sender
            )
            with store.read() as session:
                return [str(s) for s in session.execute(query).scalars().all()]
        finally:
            store.engine.dispose()

    def writes(self) -> dict[str, Any]:
        beds = _entries(self._get("Location", **{"physical-type": "bd", "_count": 1000}))
        snapshot: dict[str, Any] = {
            "beds": {b["id"]: (b.get("meta") or {}).get("versionId") for b in beds},
            "tasks": _total(self._get("Task", _count=1)),
            "appointments": _total(self._get("Appointment", _count=1)),
        }
        for status in APPOINTMENT_STATUSES:
            snapshot[f"appointments:{status}"] = _total(
                self._get("Appointment", status=status, _count=1)
            )
        return snapshot

    # -- before / after ------------------------------------------------------------------

    def _measure(self, item: Outcome) -> Any:
        if item.appointment is not None:
            return self.appointments(item.appointment)
        if item.task is not None:
            return self.tasks(item.task)
        if item.handoff is not None:
            return len(self.handoff_statuses())
        if item.nothing_written:
            return self.writes()
        return None

    def before(self, outcome: list[Outcome]) -> None:
        for index, item in enumerate(outcome):
            self._before[str(index)] = self._measure(item)

    def after(self, outcome: list[Outcome]) -> list[str]:
        problems: list[str] = []
        for index, item in enumerate(outcome):
            before: Any = self._before.get(str(index))
            if item.appointment is not None:
                problems += _delta("appointment", item.appointment, before, self._measure(item))
            elif item.task is not None:
                problems += _delta("task", item.task, before, self._measure(item))
            elif item.bed is not None:
                problems += self._bed(item.bed)
            elif item.handoff is not None:
                problems += self._handoff(item.handoff)
            elif item.nothing_written:
                problems += _compare_writes(before, self.writes())
        return problems

    def _bed(self, check: BedCheck) -> list[str]:
        status = self.bed_status(check.bed)
        if status not in check.status:
            return [f"outcome bed {check.bed}: status {status}, expected {check.status}"]
        return []

    def _handoff(self, check: HandoffCheck) -> list[str]:
        statuses = self.handoff_statuses()
        problems = []
        if check.count is not None and len(statuses) != check.count:
            problems.append(f"outcome handoff: {len(statuses)} tickets, expected {check.count}")
        if check.status is not None:
            wanted = set(check.status)
            if "withdrawn" in wanted:
                wanted |= {"resolved", "withdrawn"}
            newest = statuses[-1] if statuses else "none"
            if newest not in wanted:
                problems.append(f"outcome handoff: ticket status {newest}, expected {check.status}")
        return problems


def store_url(env: dict[str, str]) -> str:
    """The assistant store of the stack with this environment (as ``assistant.config``
    resolves it: the variable, else ``$VAR_DIR/demo.env``, else ``$VAR_DIR/assistant.db``)."""
    from pathlib import Path

    from assistant.config import load_env_file

    var_dir = Path(env["VAR_DIR"])
    return (
        env.get("ASSISTANT_DATABASE_URL")
        or load_env_file(var_dir / "demo.env").get("ASSISTANT_DATABASE_URL")
        or f"sqlite:///{var_dir.resolve() / 'assistant.db'}"
    )


def _delta(name: str, check: Any, before: int, after: int) -> list[str]:
    if after - before != check.delta:
        shown = check.model_dump(exclude_none=True)
        return [f"outcome {name} {shown}: changed by {after - before} ({before} -> {after})"]
    return []


def _task_matches(task: dict[str, Any], check: TaskCheck) -> bool:
    codes = [c.get("code") for c in (task.get("code") or {}).get("coding") or []]
    if check.help_type and check.help_type not in codes:
        return False
    if check.priority and task.get("priority") not in check.priority:
        return False
    if check.description_contains and not re.search(
        re.escape(check.description_contains), str(task.get("description") or ""), re.IGNORECASE
    ):
        return False
    if check.ward:
        where = str((task.get("location") or {}).get("reference") or "").lower()
        code = check.ward.lower()
        if not (where.endswith(f"/ward-{code}") or f"/bed-{code}-" in where):
            return False
    return True


def _compare_writes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems = []
    changed = [b for b, v in after["beds"].items() if before["beds"].get(b) != v]
    if changed:
        problems.append(f"nothing_written: beds changed: {sorted(changed)[:10]}")
    for key in sorted(k for k in after if k != "beds"):
        if before.get(key) != after[key]:
            problems.append(f"nothing_written: {key} {before.get(key)} -> {after[key]}")
    return problems
