"""'actually make that urgent' right after a help request was filed changes its priority."""

from __future__ import annotations

from typing import Any

import pytest

from actions.amend import ActionChangeHelpPriority, new_priority
from actions.fallback import ActionFallback
from actions.flow import ActionContinue, ActionNewRequest
from actions.help import ActionRequestHelp
from actions.registry import guarded_action
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker

URGENT = [{"entity": "urgency", "value": "urgent", "start": 0, "end": 0}]


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def filed(user: str = "n.jones") -> dict[str, Any]:
    """File a routine porter request; the ``last_task`` it leaves."""
    slots = {
        "help_type": "porter",
        "ward": "4B",
        "bed": "2",
        "urgency": "routine",
        "help_description": "wheelchair to x-ray",
    }
    _, events = await run(ActionRequestHelp(), tracker(user, slots=slots))
    return [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]


async def test_amend_filing_a_help_request_remembers_its_ticket_and_no_patient_data(services):
    last = await filed()
    assert last == {
        "intent": "request_help",
        "ticket": "HR-000001",
        "slots": {"help_type": "porter", "ward": "4B", "urgency": "routine", "bed": "2"},
    }


@pytest.mark.parametrize(
    ("text", "entities", "wanted"),
    [
        ("actually make that urgent", URGENT, "urgent"),
        ("no wait, it's urgent", URGENT, "urgent"),
        ("sorry, make it asap", [], "asap"),
        ("actually it's not urgent", [], "routine"),
        ("not routine, urgent", [], "urgent"),
    ],
)
async def test_amend_a_priority_change_right_after_filing_is_read(services, text, entities, wanted):
    last = await filed()
    trk = tracker(
        "n.jones", intent="inform", text=text, entities=entities, slots={"last_task": last}
    )
    assert new_priority(trk, Turn.of(trk)) == wanted


@pytest.mark.parametrize(
    ("text", "entities", "last"),
    [
        ("urgent porter to ICU bed 4", [{"entity": "help_type", "value": "porter"}], True),
        ("make that urgent", URGENT, False),  # nothing was filed
        ("actually make that urgent, the patient in bed 6 is waiting", URGENT, True),
    ],
)
async def test_amend_other_messages_are_no_priority_change(services, text, entities, last):
    slots = {"last_task": await filed()} if last else {}
    trk = tracker("n.jones", intent="inform", text=text, entities=entities, slots=slots)
    assert new_priority(trk, Turn.of(trk)) is None


async def test_amend_changes_the_filed_tasks_priority_audited_and_confirms(services):
    last = await filed()
    trk = tracker(
        "n.jones", intent="inform", text="actually make that urgent", entities=URGENT,
        slots={"last_task": last},
    )  # fmt: skip
    messages, events = await run(ActionContinue(), trk)
    kinds = [m["custom"]["kind"] for m in messages]
    assert kinds == ["help_priority_changed"]
    assert messages[0]["custom"]["data"] == {
        "ticket_id": "HR-000001",
        "priority": "urgent",
        "was": "routine",
    }
    assert services.hms.tasks[0].priority == "urgent"
    assert len(services.hms.tasks) == 1  # no new request
    event = services.audit.events[-1]
    assert (event.staff, event.action, event.outcome) == (
        "n.jones",
        "action_change_help_priority",
        "success",
    )
    kept = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    assert kept["slots"]["urgency"] == "urgent"  # "no, make it routine again" still works


async def test_amend_through_a_new_request_or_a_fallback_reading_too(services):
    last = await filed()
    for action, intent in (
        (ActionNewRequest(), "request_help"),
        (ActionFallback(), "nlu_fallback"),
    ):
        trk = tracker(
            "n.jones", intent=intent, text="no wait, it's asap", slots={"last_task": last}
        )
        messages, _ = await run(action, trk)
        assert messages[0]["custom"]["kind"] in ("help_priority_changed", "help_priority_unchanged")
    assert services.hms.tasks[0].priority == "asap"


async def test_amend_the_same_priority_again_changes_nothing(services):
    last = await filed()
    trk = tracker("n.jones", intent="inform", text="sorry, it's routine", slots={"last_task": last})
    messages, _ = await run(ActionContinue(), trk)
    assert messages[0]["custom"]["kind"] == "help_priority_unchanged"
    assert [c for c in services.hms.calls if c[0] == "update_task"] == []


async def test_amend_is_role_checked_and_only_for_ones_own_request(services):
    last = await filed("n.jones")
    other = tracker("p.kim", intent="inform", text="make that urgent", slots={"last_task": last})
    messages, _ = await run(ActionChangeHelpPriority(), other)
    assert messages[0]["custom"]["kind"] == "help_priority_denied"
    assert services.hms.tasks[0].priority == "routine"
    denied = [e for e in services.audit.events if e.action == "action_change_help_priority"]
    assert [(e.staff, e.outcome, e.reason) for e in denied] == [
        ("p.kim", "denied", "not_requester")
    ]


def test_amend_is_not_the_action_that_files_a_request():
    assert type(guarded_action("request_help")) is ActionRequestHelp


def bed_entities(text: str, *numbers: str) -> list[dict[str, Any]]:
    out = []
    for number in numbers:
        start = text.index(f"bed {number}")
        end = start + 4 + len(number)
        out.append({"entity": "bed", "value": number, "start": start, "end": end})
    return out


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("sorry, bed 3 not bed 2", {"bed": "3"}),
        ("no wait, it's bed 3", {"bed": "3"}),
        ("sorry I meant bed 3", {"bed": "3"}),
        ("bed 3", None),  # no word that corrects it: a new message
        ("sorry, bed 3 needs cleaning", None),  # more than a place
    ],
)
async def test_amend_a_place_change_right_after_filing_is_read(services, text, place):
    from actions.amend import new_place

    last = await filed()
    numbers = [n for n in ("3", "2") if f"bed {n}" in text]
    trk = tracker(
        "n.jones", intent="update_bed_status", text=text, entities=bed_entities(text, *numbers),
        slots={"last_task": last},
    )  # fmt: skip
    assert new_place(trk, Turn.of(trk)) == place


async def test_amend_moves_the_filed_task_to_the_bed_corrected_to(services):
    last = await filed()
    text = "sorry, bed 3 not bed 2"
    trk = tracker(
        "n.jones", intent="update_bed_status", text=text, entities=bed_entities(text, "3", "2"),
        slots={"last_task": last},
    )  # fmt: skip
    messages, events = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["help_location_changed"]
    assert messages[0]["custom"]["data"] == {
        "ticket_id": "HR-000001",
        "ward": "4B",
        "bed": "4B Bed 3",
    }
    assert services.hms.tasks[0].location_id == "bed-4b-03" and len(services.hms.tasks) == 1
    event = services.audit.events[-1]
    assert (event.action, event.outcome) == ("action_change_help_place", "success")
    kept = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    assert kept["slots"]["bed"] == "3"
    # read as a bed change by NLU: the bed form must not follow
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


async def test_amend_wrong_ward_with_a_ward_nlu_did_not_tag_moves_it_to_that_ward(services):
    from actions.amend import new_place

    last = await filed()
    trk = tracker("n.jones", intent="inform", text="wrong ward, 7C", slots={"last_task": last})
    assert new_place(trk, Turn.of(trk)) == {"ward": "7C"}
    messages, _ = await run(ActionContinue(), trk)
    assert messages[0]["custom"]["kind"] == "help_location_changed"
    assert services.hms.tasks[0].location_id == "ward-7c"


async def test_amend_a_ward_and_bed_said_in_words_move_it_to_that_bed(services):
    from actions.amend import new_place

    last = await filed()
    text = "actually ward 7C bed 1"
    bed = [{"entity": "bed", "value": "1", "start": 17, "end": 22}]
    trk = tracker("n.jones", intent="inform", text=text, entities=bed, slots={"last_task": last})
    assert new_place(trk, Turn.of(trk)) == {"ward": "7C", "bed": "1"}
    messages, _ = await run(ActionContinue(), trk)
    assert messages[0]["custom"]["data"]["bed"] == "7C Bed 1"


async def test_amend_another_kind_of_help_right_after_filing_refiles_it(services):
    # "make that IT not porter" filed a second request and left the porter job live
    last = await filed()
    text = "make that IT not porter"
    entities = [
        {"entity": "help_type", "value": "IT", "start": 10, "end": 12},
        {"entity": "help_type", "value": "porter", "start": 17, "end": 23},
    ]
    trk = tracker(
        "n.jones", intent="request_help", text=text, entities=entities, slots={"last_task": last}
    )
    messages, events = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["help_type_changed"]
    old, new = services.hms.tasks
    assert (old.help_type, old.status) == ("porter", "cancelled")
    assert (new.help_type, new.status, new.location_id) == ("it", "requested", old.location_id)
    assert new.description == old.description and new.priority == old.priority
    kept = [e["value"] for e in events if e.get("name") == "last_task"][-1]
    assert kept["ticket"] == new.ticket_id and kept["slots"]["help_type"] == "it"


async def test_amend_a_kind_of_help_already_taken_is_not_changed(services):
    last = await filed()
    await services.hms.update_task("HR-000001", status="accepted", owner_username="p.kim")
    entities = [{"entity": "help_type", "value": "IT", "start": 19, "end": 21}]
    trk = tracker(
        "n.jones",
        intent="request_help",
        text="sorry, I meant an IT request",
        entities=entities,
        slots={"last_task": last},
    )
    messages, _ = await run(ActionContinue(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["help_type_unchanged"]
    assert len(services.hms.tasks) == 1


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("urgent please", "urgent"),
        ("it's urgent after all", "urgent"),
        ("actually make it urgent, CT are waiting", "urgent"),
        ("it is urgent after all, the patient is booked for a scan at 3", "urgent"),
        ("no rush actually", "routine"),
        ("can wait till tomorrow", "routine"),
        # "not urgent anymore", "no longer urgent", "downgrade that" were not understood
        ("actually its not urgent anymore", "routine"),
        ("no longer urgent", "routine"),
        ("downgrade that to routine", "routine"),
        ("bump it up to urgent", "urgent"),
        # the reason after the second comma ("sorry" alone said no priority)
        ("sorry, not urgent, the patient has gone home", "routine"),
        # a reason naming another kind of help, or a place: not this request's priority
        ("urgent, the printer on the desk is jammed", None),
        ("urgent - the tap in the sluice is leaking", None),
        ("make it urgent, the patient in bed 6 is waiting", None),
    ],
)
async def test_amend_a_priority_with_or_without_a_reason_after_filing_changes_it(
    services, text, wanted
):
    # "it's urgent after all" / "urgent please" right after filing were not understood;
    # "it is urgent after all, we cant print drug charts" filed a second, urgent ticket
    last = await filed()  # a porter request
    trk = tracker("n.jones", intent="request_help", text=text, slots={"last_task": last})
    assert new_priority(trk, Turn.of(trk)) == wanted


async def test_amend_an_upgrade_with_a_reason_read_as_a_new_request_files_nothing_new(services):
    last = await filed()
    text = "it is urgent after all, the patient is booked for a scan at 3"
    trk = tracker(
        "n.jones", intent="request_help", text=text, entities=URGENT, slots={"last_task": last}
    )
    messages, _ = await run(ActionNewRequest(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["help_priority_changed"]
    assert len(services.hms.tasks) == 1 and services.hms.tasks[0].priority == "urgent"


async def test_amend_a_downgrade_nlu_read_as_a_weak_emergency_changes_the_priority(services):
    # "no rush actually, theyre not ready" right after filing (NLU: emergency 0.41, the
    # safety net cleared it) got only "If this is an emergency, call 2222 now"
    from actions.conversation import ActionEmergency

    last = await filed()
    last = {**last, "slots": {**last["slots"], "urgency": "urgent"}}
    import dataclasses

    services.hms.tasks[-1] = dataclasses.replace(services.hms.tasks[-1], priority="urgent")
    text = "no rush actually, theyre not ready"
    trk = tracker(
        "n.jones", intent="emergency", text=text, slots={"last_task": last}, safety="none"
    )
    trk.latest_message["intent"]["confidence"] = 0.41
    messages, _ = await run(ActionEmergency(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["help_priority_changed"]
    assert services.hms.tasks[-1].priority == "routine"


async def test_amend_a_priority_change_after_a_status_list_changes_the_request_filed(services):
    # 'porter for bed 2' / 'status of my requests' / 'make that urgent': the
    # status question starts afresh (every task slot cleared before it answers), so the
    # request filed was lost from last_task and "make that urgent" was not understood
    from actions.help import ActionCheckRequestStatus

    await filed()
    last = await filed()  # two requests: the status answer is a list
    before: list[dict[str, Any]] = [
        {"event": "slot", "name": "last_task", "value": last},
        {"event": "user", "text": "status of my requests", "parse_data": {}},
        {"event": "slot", "name": "last_task", "value": None},  # fresh_start's clearing
    ]
    asked = tracker(intent="check_request_status", text="status of my requests", events=before)
    _, events = await run(ActionCheckRequestStatus(), asked)
    kept = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    assert kept["ticket"] == last["ticket"] and kept["requests"]
    urgent = [{"entity": "urgency", "value": "urgent", "start": 10, "end": 16}]
    change = tracker(
        intent="inform", text="make that urgent", entities=urgent, slots={"last_task": kept}
    )
    messages, _ = await run(ActionContinue(), change)
    assert [m["custom"]["kind"] for m in messages] == ["help_priority_changed"]
    assert services.hms.tasks[-1].priority == "urgent"


async def test_amend_not_urgent_anymore_read_as_a_stop_changes_the_request_filed(services):
    # "porter to 4B bed 2, urgent" / "not urgent anymore" (NLU: a stop): it was "OK." and
    # the request stayed urgent; then "cancel it" was "OK." too and nothing was cancelled
    from actions.flow import ActionStop

    slots = {"help_type": "porter", "ward": "4B", "bed": "2", "urgency": "urgent"}
    slots["help_description"] = "to CT"
    _, events = await run(ActionRequestHelp(), tracker(slots=slots))
    last = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    routine = [{"entity": "urgency", "value": "routine", "start": 4, "end": 10}]
    said = tracker(
        intent="stop", text="not urgent anymore", entities=routine, slots={"last_task": last}
    )
    messages, events = await run(ActionStop(), said)
    assert [m["custom"]["kind"] for m in messages] == ["help_priority_changed"]
    assert services.hms.tasks[-1].priority == "routine"


async def test_amend_a_stop_with_nothing_to_stop_keeps_the_request_filed_for_cancel_it(services):
    from actions.flow import ActionStop

    last = await filed()
    said = tracker(intent="stop", text="ok never mind", slots={"last_task": last})
    _, events = await run(ActionStop(), said)
    kept = [e["value"] for e in events if e.get("name") == "last_task"]
    assert kept and kept[-1] == last  # "cancel it" next still withdraws it
