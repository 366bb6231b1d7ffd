"""'what's the status of that?' right after filing a help request: that request."""

from __future__ import annotations

from typing import Any

import pytest

from actions.help import ActionCheckRequestStatus, ActionRequestHelp
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def file(bed: str) -> dict[str, Any]:
    slots = {"help_type": "porter", "ward": "4B", "bed": bed, "urgency": "routine"}
    slots["help_description"] = "wheelchair to x-ray"
    _, events = await run(ActionRequestHelp(), tracker(slots=slots))
    return [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]


def asked(text: str, last: dict[str, Any]) -> Any:
    before: list[dict[str, Any]] = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": text, "parse_data": {}},
        {"event": "slot", "name": "last_task", "value": None},  # fresh_start's clearing
    ]
    return tracker(intent="check_request_status", text=text, events=before)


@pytest.mark.parametrize(
    "text", ["whats the status of that", "any update on it?", "how's that one going"]
)
async def test_help_status_of_that_right_after_filing_is_that_request(text):
    await file("1")
    last = await file("2")
    await file("3")  # filed elsewhere (another conversation): not the one in hand
    messages, _ = await run(ActionCheckRequestStatus(), asked(text, last))
    data = messages[-1]["custom"]["data"]
    assert data.get("ticket_id") == last["ticket"] and "tasks" not in data


async def test_help_status_of_my_requests_right_after_filing_is_still_the_list():
    last = await file("1")
    await file("2")
    messages, _ = await run(ActionCheckRequestStatus(), asked("status of all my requests", last))
    assert len(messages[-1]["custom"]["data"]["tasks"]) == 2
