"""A porter's words about the job in hand that NLU read as a task they may not do."""

from __future__ import annotations

import pytest

from actions.fallback import ActionFallback
from actions.jobtalk import asks_where, destination
from actions.registry import guarded_action
from actions.services import set_services
from tests.actions.fakes import run, tracker
from tests.actions.test_jobs import file, kinds, said, take


@pytest.fixture
def services():
    from tests.actions.fakes import make_services

    svc = make_services()
    set_services(svc)
    return svc


async def test_jobtalk_put_it_back_read_as_rescheduling_gives_the_job_back(services):
    # p.kim 'pt wasnt ready, put it back' got "Rescheduling appointments needs ..."
    ticket = await file()
    await take(ticket)
    trk = said("p.kim", "reschedule_appointment", "pt wasnt ready, put it back")
    messages, _ = await run(guarded_action("reschedule_appointment"), trk)
    assert kinds(messages) == ["update_help_task_released"]
    assert messages[0]["custom"]["data"]["ticket_id"] == ticket
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("requested", None)


async def test_jobtalk_cancel_it_read_as_an_appointment_cancel_is_about_the_job(services):
    # 'patient has gone to theatre already, cancel it' got the appointment-cancel refusal
    ticket = await file()
    await take(ticket)
    trk = said("p.kim", "cancel_appointment", "patient has gone to theatre already, cancel it")
    messages, _ = await run(guarded_action("cancel_appointment"), trk)
    assert kinds(messages) == ["update_help_task_cancel_not_yours"]
    assert messages[0]["custom"]["data"] == {"ticket_id": ticket, "requester": "n.jones"}
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == [f"Give {ticket} back", f"Done {ticket}"]
    assert services.hms.tasks[0].status == "accepted"  # nothing changed


async def test_jobtalk_a_nurse_cancelling_an_appointment_is_not_a_job(services):
    trk = said("n.jones", "cancel_appointment", "cancel it")
    messages, _ = await run(guarded_action("cancel_appointment"), trk)
    assert "update_help_task_cancel_not_yours" not in kinds(messages)


async def test_jobtalk_where_am_i_taking_them_is_the_jobs_destination(services):
    ticket = await file()
    await take(ticket)
    trk = said("p.kim", "nlu_fallback", "where am i taking them")
    messages, _ = await run(ActionFallback(), trk)
    details = [m for m in messages if m["custom"]["kind"] == "update_help_task_details"]
    assert details and details[0]["custom"]["data"]["ticket_id"] == ticket
    assert details[0]["custom"]["data"]["destination"] == "x-ray"
    assert "Mary Smith" not in details[0]["text"]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("where am i taking them", True),
        ("where's it going?", True),
        ("where to?", True),
        ("where is bed 5", False),
        ("take the next one", False),
    ],
)
def test_jobtalk_asks_where_only_for_a_destination(text, where):
    assert asks_where(text) is where


@pytest.mark.parametrize(
    ("description", "place"),
    [
        ("Mary Smith to x-ray", "x-ray"),
        ("take her to the discharge lounge please", "the discharge lounge"),
        ("needs to go to CT for a scan", "CT"),
        ("wheelchair needed", None),
        ("porter to 4B bed 2 please, routine, take her to x-ray", "x-ray"),
        ("porter to ward 7 now", None),
    ],
)
def test_jobtalk_destination_is_the_place_the_description_sends_the_job(description, place):
    assert destination(description) == place


async def test_jobtalk_cancel_it_of_ones_own_request_in_hand_cancels_it(services):
    from actions.help import ActionRequestHelp
    from tests.actions.fakes import tracker

    slots = {"help_type": "porter", "ward": "4B", "bed": "3", "urgency": "routine"}
    filed, _ = await run(ActionRequestHelp(), tracker("p.kim", slots=slots))
    ticket = filed[-1]["custom"]["data"]["ticket_id"]
    await take(ticket)
    trk = said("p.kim", "cancel_appointment", "not needed any more, cancel it")
    messages, _ = await run(guarded_action("cancel_appointment"), trk)
    assert kinds(messages) == ["cancel_help_request_success"]
    assert services.hms.tasks[0].status == "cancelled"


async def test_jobtalk_a_porter_cancelling_a_named_appointment_is_refused_as_asked(services):
    ticket = await file()
    await take(ticket)
    trk = said("p.kim", "cancel_appointment", "cancel Mateo Begum's appointment")
    messages, _ = await run(guarded_action("cancel_appointment"), trk)
    assert kinds(messages) == ["cancel_appointment_denied"]


async def test_jobtalk_where_am_i_taking_them_is_the_destination_the_nurse_corrected_to(services):
    # n.jones filed "wheelchair to CT", then "sorry, to x-ray not CT" ("Added to HR-...");
    # the porter's "where am I taking them" was still "the request says: to CT"
    from tests.actions.test_amend import filed

    last = await filed()  # "wheelchair to x-ray"
    ticket = str(last["ticket"])
    trk = tracker(
        "n.jones", intent="nlu_fallback", text="sorry, to CT not x-ray", slots={"last_task": last}
    )
    messages, _ = await run(ActionFallback(), trk)
    assert kinds(messages) == ["help_destination_added"]
    assert messages[0]["custom"]["data"]["destination"] == "CT"  # not "CT not x-ray"
    await take(ticket)
    messages, _ = await run(
        ActionFallback(), said("p.kim", "nlu_fallback", "where am i taking them")
    )
    details = [m for m in messages if m["custom"]["kind"] == "update_help_task_details"]
    assert details[0]["custom"]["data"]["destination"] == "CT"
    assert "to CT" in details[0]["text"] and "x-ray" not in details[0]["text"]


@pytest.mark.parametrize(
    "text", ["cant do it, lift is broken", "I can't take that one, someone else"]
)
async def test_jobtalk_cant_do_it_read_as_a_help_request_gives_the_job_back(services, text):
    # p.kim with HR-7 in hand: 'cant do it, lift is broken' (NLU: a help request) -> "Which ward?"
    from actions.flow import ActionNewRequest

    ticket = await file()
    await take(ticket)
    messages, _ = await run(ActionNewRequest(), said("p.kim", "request_help", text))
    assert kinds(messages) == ["update_help_task_released"]
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("requested", None)


async def test_jobtalk_a_nurse_saying_she_cant_do_it_is_still_her_help_request(services):
    from actions.jobtalk import gives_back_in_words
    from actions.state import Turn

    trk = said("n.jones", "request_help", "cant do it myself, the lift is broken")
    assert not await gives_back_in_words(trk, Turn.of(trk))
    entities = [{"entity": "help_type", "value": "maintenance", "start": 20, "end": 31}]
    trk = said("p.kim", "request_help", "cant do it, need maintenance for the lift", entities)
    assert not await gives_back_in_words(trk, Turn.of(trk))


def test_jobtalk_a_destination_noted_with_the_place_ruled_out_is_the_place_meant():
    # HR-7's note 'Destination: x-ray not CT' was told to the porter as "to x-ray not CT"
    from types import SimpleNamespace

    from actions.jobtalk import destination_of

    task = SimpleNamespace(notes=("Destination: x-ray not CT",), description="wheelchair to CT")
    assert destination_of(task) == "x-ray"  # type: ignore[arg-type]


async def test_jobtalk_cant_do_it_right_after_taking_a_job_gives_that_one_back(services):
    from actions.flow import ActionNewRequest
    from tests.actions.test_jobs import after

    older = await file()
    await take(older)
    ticket = await file(bed="3")
    memory = {"listed": [], "job": {"ticket": ticket, "step": "take"}}
    await take(ticket)
    text = "cant do it, lift is broken"
    messages, _ = await run(ActionNewRequest(), after("p.kim", "request_help", text, memory))
    assert kinds(messages) == ["update_help_task_released"]  # not "Which job?"
    assert [(t.ticket_id, t.owner) for t in services.hms.tasks] == [
        (older, "p.kim"),
        (ticket, None),
    ]


async def test_jobtalk_where_am_i_taking_them_right_after_taking_a_second_job_is_that_job(
    services,
):
    # with HR-35 in hand, "I'll take hr 36" / "where am i taking them" answered for HR-35
    # (found in a full dialogue run)
    from actions.jobs import ActionUpdateHelpTask

    older = await file()
    newer = await file(bed="3")
    await take(older)
    _, events = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"I'll take {newer}")
    )
    last = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    trk = said("p.kim", "update_help_task", "where am i taking them", last_task=last)
    messages, events = await run(ActionUpdateHelpTask(), trk)
    details = [m for m in messages if m["custom"]["kind"] == "update_help_task_details"]
    assert [d["custom"]["data"]["ticket_id"] for d in details] == [newer]
    # "pt wasnt ready, put it back" right after: that job, not "Which job?"
    last = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    trk = said("p.kim", "update_help_task", "pt wasnt ready, put it back", last_task=last)
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_released"]
    assert messages[0]["custom"]["data"]["ticket_id"] == newer
