"""Help requests as FHIR ``Task`` (identifier ``urn:hms:ticket``, code ``urn:hms:help-type``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from . import codec
from .clock import hospital_now
from .codec import Json
from .core import ClientCore
from .errors import Invalid, NotFound
from .models import HelpTask

HELP_TYPES = ("porter", "it", "housekeeping", "maintenance", "other")
PRIORITIES = ("routine", "urgent", "asap", "stat")


def _now() -> str:
    return hospital_now().isoformat(timespec="seconds")


class TasksMixin(ClientCore):
    async def _to_tasks(self, resources: Iterable[Json]) -> list[HelpTask]:
        """Parse Tasks, looking up usernames of Practitioners referenced only by id."""
        resources = list(resources)
        known = self._shared.usernames
        for res in resources:
            for who in (res.get("requester"), res.get("owner")):
                prac_id = codec.ref_id(who, "Practitioner")
                if prac_id and prac_id not in known and not (who or {}).get("identifier"):
                    prac = await self._get("Practitioner", prac_id)
                    known[prac_id] = codec.ident(prac, self._sys.staff) or prac_id
        return [codec.to_task(res, known, self._sys) for res in resources]

    async def create_task(
        self,
        help_type: str,
        location_id: str | None,
        priority: str,
        description: str,
        requester_username: str,
    ) -> HelpTask:
        if help_type not in HELP_TYPES:
            raise Invalid(f"unknown help type {help_type!r}")
        if priority not in PRIORITIES:
            raise Invalid(f"unknown priority {priority!r}")
        requester = await self._staff(requester_username)
        body: Json = {
            "resourceType": "Task",
            "status": "requested",
            "intent": "order",
            "priority": priority,
            "code": {"coding": [{"system": self._sys.help_type, "code": help_type}]},
            "description": description,
            "authoredOn": _now(),
            "requester": codec.staff_ref(requester.id, requester.username, self._sys),
        }
        if location_id:
            body["location"] = codec.ref("Location", location_id)
        return (await self._to_tasks([await self._write("POST", "Task", body)]))[0]

    async def _task_resource(self, ticket_id: str) -> Json:
        query = {"identifier": f"{self._sys.ticket}|{ticket_id.strip()}"}
        found = await self._search("Task", query)
        if not found:
            raise NotFound("no such help request")
        return found[0]

    async def get_task(self, ticket_id: str) -> HelpTask:
        return (await self._to_tasks([await self._task_resource(ticket_id)]))[0]

    async def list_tasks(
        self,
        requester_username: str | None = None,
        status: str | None = None,
        help_type: str | None = None,
    ) -> list[HelpTask]:
        params: dict[str, Any] = {}
        if requester_username:
            params["requester"] = f"Practitioner/{(await self._staff(requester_username)).id}"
        wanted = {s.strip() for s in (status or "").split(",") if s.strip()}
        if wanted:  # several statuses, comma-separated: any of them (FHIR token OR)
            params["status"] = ",".join(sorted(wanted))
        if help_type:
            params["code"] = f"{self._sys.help_type}|{help_type}"
        tasks = await self._to_tasks(await self._search("Task", params))
        tasks = [t for t in tasks if not wanted or t.status in wanted]
        if help_type:
            tasks = [t for t in tasks if t.help_type == help_type]
        if requester_username:
            tasks = [t for t in tasks if t.requester == requester_username]
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(tasks, key=lambda t: t.authored or epoch, reverse=True)

    async def update_task(
        self,
        ticket_id: str,
        *,
        status: str | None = None,
        owner_username: str | None = None,
        business_status: str | None = None,
        note: str | None = None,
        priority: str | None = None,
        location_id: str | None = None,
        clear_owner: bool = False,
    ) -> HelpTask:
        found = await self._task_resource(ticket_id)
        # re-read by id: search results need not carry the version the server checks
        res = await self._get("Task", str(found["id"]))
        if status:
            res["status"] = status
        if clear_owner:  # given back: nobody's, for another to take
            res.pop("owner", None)
        elif owner_username:
            owner = await self._staff(owner_username)
            res["owner"] = codec.staff_ref(owner.id, owner.username, self._sys)
        if business_status is not None:
            res["businessStatus"] = {"text": business_status}
        if priority:  # routine | urgent | asap | stat (FHIR request-priority)
            res["priority"] = priority
        if note:
            res.setdefault("note", []).append({"text": note, "time": _now()})
        if location_id:  # where the help is needed (the requester corrected it)
            res["location"] = codec.ref("Location", location_id)
        res["lastModified"] = _now()
        stored = await self._write("PUT", f"Task/{res['id']}", res, codec.version(res))
        return (await self._to_tasks([stored]))[0]
