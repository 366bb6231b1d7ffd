"""Porters and housekeeping list, take and finish the jobs of their team."""

from __future__ import annotations

import pytest

from actions.help import ActionRequestHelp
from actions.jobs import ActionListMyJobs, ActionUpdateHelpTask
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def file(help_type: str = "porter", bed: str = "2", urgency: str = "routine") -> str:
    slots = {
        "help_type": help_type,
        "ward": "4B",
        "bed": bed,
        "urgency": urgency,
        "help_description": "Mary Smith to x-ray",
    }
    messages, _ = await run(ActionRequestHelp(), tracker("n.jones", slots=slots))
    return str(messages[-1]["custom"]["data"]["ticket_id"])


def said(user: str, intent: str, text: str, entities=None, **slots):
    return tracker(user, intent=intent, text=text, slots=slots, entities=entities)


def kinds(messages):
    return [m["custom"]["kind"] for m in messages]


async def test_jobs_a_porter_sees_open_porter_jobs_most_urgent_first_and_no_description(services):
    routine = await file()
    urgent = await file(bed="3", urgency="urgent")
    await file(help_type="housekeeping")
    messages, _ = await run(ActionListMyJobs(), said("p.kim", "list_my_jobs", "any jobs for me?"))
    assert kinds(messages) == ["list_my_jobs_success"]
    data = messages[0]["custom"]["data"]
    assert [j["ticket_id"] for j in data["jobs"]] == [urgent, routine]
    assert data["jobs"][0]["place"] == "4B Bed 3"
    assert "x-ray" not in messages[0]["text"] and "Mary" not in messages[0]["text"]
    assert messages[0]["custom"]["phi"] is False
    assert f"Take {urgent}" in [b["title"] for b in messages[0]["buttons"]]


async def test_jobs_housekeeping_sees_only_housekeeping_jobs(services):
    await file()
    cleaning = await file(help_type="housekeeping")
    messages, _ = await run(ActionListMyJobs(), said("c.sam", "list_my_jobs", "what's on my list"))
    assert [j["ticket_id"] for j in messages[0]["custom"]["data"]["jobs"]] == [cleaning]


async def test_jobs_no_open_job_says_so(services):
    messages, _ = await run(ActionListMyJobs(), said("p.kim", "list_my_jobs", "any jobs"))
    assert kinds(messages) == ["list_my_jobs_none"]


async def test_jobs_a_nurse_may_not_list_jobs(services):
    messages, _ = await run(ActionListMyJobs(), said("n.jones", "list_my_jobs", "any jobs"))
    assert messages[0]["custom"]["kind"].endswith("denied")
    assert services.audit.events[-1].outcome == "denied"


async def test_jobs_ill_take_claims_the_job(services):
    ticket = await file()
    messages, _ = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", "I'll take HR-1")
    )
    assert kinds(messages) == ["update_help_task_claimed"]
    task = services.hms.tasks[0]
    assert (task.ticket_id, task.status, task.owner) == (ticket, "accepted", "p.kim")


async def test_jobs_a_taken_job_leaves_the_others_list(services):
    await file()
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", "I'll take HR-1"))
    messages, _ = await run(ActionListMyJobs(), said("t.brown", "list_my_jobs", "any jobs"))
    assert kinds(messages) == ["list_my_jobs_none"]


@pytest.mark.parametrize("text", ["done with HR-1", "job HR-000001 finished", "hr 1 complete"])
async def test_jobs_done_with_a_ticket_completes_it(services, text):
    await file()
    messages, _ = await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", text))
    assert kinds(messages) == ["update_help_task_completed"]
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("completed", "p.kim")


async def test_jobs_job_done_for_a_bed_completes_the_job_there(services):
    await file(bed="1")
    there = await file(bed="3")
    entities = [{"entity": "bed", "value": "3"}, {"entity": "ward", "value": "4B"}]
    trk = said(
        "p.kim",
        "update_help_task",
        "porter job done for bed 3 on 4B",
        entities,
        bed="3",
        ward="4B",
        help_type="porter",
    )
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert messages[0]["custom"]["data"]["ticket_id"] == there
    assert [t.status for t in services.hms.tasks] == ["requested", "completed"]


async def test_jobs_mark_my_job_complete_completes_the_one_in_hand(services):
    await file()
    mine = await file(bed="3")
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"I'll take {mine}"))
    messages, _ = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", "mark my job complete")
    )
    assert messages[0]["custom"]["data"]["ticket_id"] == mine
    assert [t.status for t in services.hms.tasks] == ["requested", "completed"]


async def test_jobs_a_button_press_takes_the_job_a_step_on(services):
    ticket = await file()
    payload = f'/update_help_task{{"ticket_id":"{ticket}"}}'
    trk = said("p.kim", "update_help_task", payload, ticket_id=ticket)
    await run(ActionUpdateHelpTask(), trk)
    assert services.hms.tasks[0].status == "accepted"
    await run(ActionUpdateHelpTask(), trk)
    assert services.hms.tasks[0].status == "completed"


async def test_jobs_someone_elses_job_or_another_kind_is_refused(services):
    porter, cleaning = await file(), await file(help_type="housekeeping")
    await run(ActionUpdateHelpTask(), said("t.brown", "update_help_task", f"I'll take {porter}"))
    taken, _ = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"done {porter}")
    )
    other, _ = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"I'll take {cleaning}")
    )
    assert kinds(taken) == ["update_help_task_taken"]
    assert kinds(other) == ["update_help_task_denied"]
    assert [t.status for t in services.hms.tasks] == ["accepted", "requested"]


async def test_jobs_a_finished_job_says_so(services):
    ticket = await file()
    await services.hms.update_task(ticket, status="cancelled")
    messages, _ = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"done with {ticket}")
    )
    assert kinds(messages) == ["update_help_task_closed"]


async def test_jobs_several_jobs_at_a_ward_ask_which(services):
    await file(bed="3")
    await file(bed="2")
    trk = said("p.kim", "update_help_task", "job on 4B done", ward="4B")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_which"]
    assert len(messages[0]["buttons"]) == 2


async def test_jobs_done_at_a_bed_is_the_job_one_took_there_before_anyone_elses(services):
    await file(bed="3")
    mine = await file(bed="3")
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"I'll take {mine}"))
    trk = said("p.kim", "update_help_task", "job done for bed 3 on 4B", bed="3", ward="4B")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert messages[0]["custom"]["data"]["ticket_id"] == mine
    assert [t.status for t in services.hms.tasks] == ["requested", "completed"]


async def test_jobs_a_ward_named_lists_that_wards_jobs_only(services):
    on_4b = await file()
    slots = {"help_type": "porter", "ward": "7C", "bed": "1", "urgency": "stat"}
    await run(ActionRequestHelp(), tracker("n.jones", slots={**slots, "help_description": "x"}))
    trk = said("p.kim", "list_my_jobs", "any jobs on 4B", ward="4B")
    messages, _ = await run(ActionListMyJobs(), trk)
    assert [j["ticket_id"] for j in messages[0]["custom"]["data"]["jobs"]] == [on_4b]
    other, _ = await run(ActionListMyJobs(), said("p.kim", "list_my_jobs", "jobs on 7C", ward="7C"))
    listed = [j["ticket_id"] for j in other[0]["custom"]["data"]["jobs"]]
    assert len(listed) == 1 and on_4b not in listed


async def test_jobs_is_a_ticket_closed_is_a_question_never_a_change(services):
    ticket = await file()
    trk = said("p.kim", "update_help_task", f"is {ticket} closed?")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["check_request_status_success"]  # a porter job: its state
    assert services.hms.tasks[0].status == "requested"
    assert not any(c[0] == "update_task" for c in services.hms.calls)


@pytest.mark.parametrize(
    ("action", "text"),
    [(ActionListMyJobs, "list my requests"), (ActionUpdateHelpTask, "follow up on HR-000001")],
)
async def test_jobs_a_nurses_own_requests_in_words_nlu_read_as_jobs_are_her_requests(
    services, action, text
):
    await file()
    messages, _ = await run(action(), said("n.jones", action.intent, text))
    assert kinds(messages) == ["check_request_status_success"]
    assert services.audit.events[-1].intent == "check_request_status"


async def test_jobs_a_porter_may_not_see_the_state_of_a_housekeeping_request(services):
    ticket = await file(help_type="housekeeping")
    trk = said("p.kim", "update_help_task", f"is {ticket} done?")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["check_request_status_denied"]


@pytest.mark.parametrize(
    ("text", "pick"),
    [("I'll take the first one", 0), ("take the second one", 1), ("I'll take the last job", 1)],
)
async def test_jobs_the_nth_job_of_the_list_just_given_is_taken(services, text, pick):
    routine = await file()
    urgent = await file(bed="3", urgency="urgent")
    _, events = await run(ActionListMyJobs(), said("p.kim", "list_my_jobs", "any jobs for me?"))
    listed = next(e["value"] for e in events if e.get("name") == "last_task")
    assert listed == {"listed": [urgent, routine]}  # in the order said
    before = [{"event": "slot", "name": "last_task", "value": listed}]
    trk = tracker(
        "p.kim",
        intent="update_help_task",
        text=text,
        events=[*before, {"event": "user", "text": text, "parse_data": {}}],
    )
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_claimed"]
    chosen = [urgent, routine][pick]
    assert messages[0]["custom"]["data"]["ticket_id"] == chosen
    assert next(t for t in services.hms.tasks if t.ticket_id == chosen).owner == "p.kim"


async def test_jobs_an_ordinal_without_a_list_just_before_is_asked_which(services):
    await file()
    await file(bed="3")
    trk = said("p.kim", "update_help_task", "I'll take the first one")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_which"]


async def test_jobs_done_with_a_bed_from_a_porter_is_their_job_there_not_a_bed_change(services):
    # NLU reads "done with bed 3 on 4B" as a bed's status; a porter may not change beds
    # (it was a permission refusal): it is the porter job at that bed
    from actions.beds import ActionUpdateBedStatus

    ticket = await file(bed="3")
    await file(bed="2")
    slots = {"ward": "4B", "bed": "3", "bed_status": "U"}
    trk = said("p.kim", "update_bed_status", "done with bed 3 on 4B", **slots)
    messages, _ = await run(ActionUpdateBedStatus(), trk)
    assert messages[0]["custom"]["kind"].startswith("update_help_task_")
    assert messages[0]["custom"]["data"]["ticket_id"] == ticket
    # a nurse saying the same changes the bed
    messages, _ = await run(
        ActionUpdateBedStatus(),
        said("n.jones", "update_bed_status", "done with bed 3 on 4B", **slots),
    )
    assert messages[0]["custom"]["kind"].startswith("update_bed_status")


async def test_jobs_done_with_a_bed_nlu_was_unsure_of_uses_the_messages_own_place(services):
    # served from the bed form after an NLU fallback: no slot took "bed 3" or "4B"
    from actions.beds import ActionUpdateBedStatus

    ticket = await file(bed="3")
    await file(bed="2")
    text = "done with bed 3 on 4B"
    entities = [
        {"entity": "bed", "value": "3", "start": 14, "end": 15},
        {"entity": "ward", "value": "4B", "start": 19, "end": 21},
    ]
    trk = tracker("p.kim", intent="nlu_fallback", text=text, entities=entities)
    messages, _ = await run(ActionUpdateBedStatus(), trk)
    assert messages[0]["custom"]["kind"].startswith("update_help_task_")
    assert messages[0]["custom"]["data"]["ticket_id"] == ticket


@pytest.mark.parametrize("text", ["mark bed 3 on 4B as closed", "bed 3 on 4B is clean"])
async def test_jobs_a_porter_naming_a_bed_status_is_still_refused_the_bed_change(services, text):
    from actions.beds import ActionUpdateBedStatus

    await file(bed="3")
    slots = {"ward": "4B", "bed": "3", "bed_status": "C"}
    messages, _ = await run(
        ActionUpdateBedStatus(), said("p.kim", "update_bed_status", text, **slots)
    )
    assert messages[0]["custom"]["kind"] == "update_bed_status_denied"


async def take(ticket: str, user: str = "p.kim") -> None:
    await run(ActionUpdateHelpTask(), said(user, "update_help_task", f"I'll take {ticket}"))


@pytest.mark.parametrize(
    "text",
    [
        "I want to drop {t}, someone else can do it",
        "release {t}",
        "hand {t} back",
        "I can't do {t}",
        "unassign me from {t}",
    ],
)
async def test_jobs_giving_back_a_held_job_returns_it_to_the_queue(services, text):
    ticket = await file()
    await take(ticket)
    trk = said("p.kim", "update_help_task", text.format(t=ticket))
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_released"]
    assert "back in the queue" in messages[0]["text"]
    task = services.hms.tasks[0]
    assert (task.status, task.owner) == ("requested", None)  # never completed
    event = services.audit.events[-1]
    assert (event.intent, event.outcome) == ("update_help_task", "success")


async def test_jobs_a_given_back_job_can_be_taken_by_another_porter(services):
    ticket = await file()
    await take(ticket)
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"release {ticket}"))
    messages, _ = await run(ActionListMyJobs(), said("t.brown", "list_my_jobs", "any jobs"))
    assert [j["ticket_id"] for j in messages[0]["custom"]["data"]["jobs"]] == [ticket]
    await take(ticket, "t.brown")
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("accepted", "t.brown")


async def test_jobs_give_it_back_without_a_ticket_is_the_one_job_in_hand(services):
    await file()
    mine = await file(bed="3")
    await take(mine)
    trk = said("p.kim", "update_help_task", "actually i cant do that one, give it back")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert messages[0]["custom"]["data"]["ticket_id"] == mine
    assert [(t.status, t.owner) for t in services.hms.tasks] == [("requested", None)] * 2


async def test_jobs_only_the_porter_holding_a_job_may_give_it_back(services):
    theirs, nobodys = await file(), await file(bed="3")
    await take(theirs, "t.brown")
    taken, _ = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"drop {theirs}")
    )
    free, _ = await run(
        ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"release {nobodys}")
    )
    assert kinds(taken) == ["update_help_task_taken"]
    assert kinds(free) == ["update_help_task_not_yours"]
    assert [(t.status, t.owner) for t in services.hms.tasks] == [
        ("accepted", "t.brown"),
        ("requested", None),
    ]


@pytest.mark.parametrize(
    "text", ["dropped the patient off", "dropped him off at x-ray", "finished", "completed"]
)
async def test_jobs_dropped_the_patient_off_finishes_the_job_never_gives_it_back(services, text):
    ticket = await file()
    await take(ticket)
    messages, _ = await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", text))
    assert kinds(messages) == ["update_help_task_completed"]
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("completed", "p.kim")


@pytest.mark.parametrize(
    "text", ["take HR-000001 and HR-000002", "I'll take hr 1 and hr 2", "take HR-1, HR-2"]
)
async def test_jobs_taking_two_tickets_takes_both(services, text):
    await file()
    await file(bed="3")
    trk = said("p.kim", "update_help_task", text, ticket_id="HR-000002")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_claimed"] * 2
    assert [(t.status, t.owner) for t in services.hms.tasks] == [("accepted", "p.kim")] * 2
    assert len(services.audit.events) == 3  # two filed, one take of both


async def test_jobs_take_the_next_urgent_one_takes_the_oldest_urgent_job(services):
    await file(bed="1")  # routine
    oldest_urgent = await file(bed="2", urgency="urgent")
    await file(bed="3", urgency="urgent")
    trk = said("p.kim", "update_help_task", "take the next urgent one")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_claimed"]
    assert messages[0]["custom"]["data"]["ticket_id"] == oldest_urgent
    assert [t.owner for t in services.hms.tasks] == [None, "p.kim", None]


async def test_jobs_take_the_next_urgent_one_with_none_waiting_says_so(services):
    await file()  # routine only
    trk = said("p.kim", "update_help_task", "take the next urgent one")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_none"]
    assert services.hms.tasks[0].owner is None


async def test_jobs_words_nlu_did_not_understand_take_the_next_job_or_give_one_back(services):
    from actions.fallback import ActionFallback

    urgent = await file(bed="3", urgency="urgent")
    await run(ActionFallback(), said("p.kim", "nlu_fallback", "take the next urgent one"))
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("accepted", "p.kim")
    trk = said("p.kim", "nlu_fallback", "actually i cant do that one, give it back")
    messages, _ = await run(ActionFallback(), trk)
    assert "update_help_task_released" in kinds(messages)
    assert messages[0]["custom"]["data"]["ticket_id"] == urgent
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("requested", None)


async def test_jobs_release_read_as_a_status_question_or_a_cancel_gives_the_job_back(services):
    from actions.cancelhelp import ActionCancelHelpRequest
    from actions.help import ActionCheckRequestStatus

    ticket = await file()
    for action in (ActionCheckRequestStatus, ActionCancelHelpRequest):
        await take(ticket)
        messages, _ = await run(action(), said("p.kim", action.intent, f"release {ticket}"))
        assert kinds(messages) == ["update_help_task_released"]
        assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("requested", None)


async def test_jobs_a_bare_done_finishes_the_only_job_in_hand(services):
    from actions.flow import ActionGoodbye

    ticket = await file()
    await take(ticket)
    messages, _ = await run(ActionGoodbye(), said("p.kim", "goodbye", "done"))
    assert kinds(messages) == ["update_help_task_completed"]
    assert services.hms.tasks[0].status == "completed"
    again, _ = await run(ActionGoodbye(), said("p.kim", "goodbye", "done"))  # none in hand
    nurse, _ = await run(ActionGoodbye(), said("n.jones", "goodbye", "done"))
    assert kinds(again) == kinds(nurse) == ["goodbye_answer"]


@pytest.mark.parametrize(
    "text", ["can someone else help me", "cancel my porter request, someone else can take him"]
)
async def test_jobs_someone_else_outside_a_job_message_gives_nothing_back(services, text):
    from actions.cancelhelp import ActionCancelHelpRequest
    from actions.fallback import ActionFallback

    ticket = await file()
    await take(ticket)
    await run(ActionFallback(), said("p.kim", "nlu_fallback", text))
    await run(ActionCancelHelpRequest(), said("p.kim", "cancel_help_request", text))
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("accepted", "p.kim")


async def test_jobs_a_question_about_a_job_given_back_is_a_question(services):
    ticket = await file()
    await take(ticket)
    trk = said("p.kim", "update_help_task", f"has someone else taken {ticket}?")
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["check_request_status_success"]
    assert services.hms.tasks[0].owner == "p.kim"


async def test_jobs_give_it_back_with_two_jobs_in_hand_asks_which_and_the_press_gives_it_back(
    services,
):
    first, second = await file(), await file(bed="3")
    await take(first)
    await take(second)
    trk = said("p.kim", "update_help_task", "I can't do it, give it back")
    messages, events = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_which"]
    asked = next(e["value"] for e in events if e.get("name") == "last_task")
    press = f'/update_help_task{{"ticket_id":"{second}"}}'
    trk = tracker(
        "p.kim",
        intent="update_help_task",
        text=press,
        slots={"ticket_id": second},
        events=[
            {"event": "slot", "name": "last_task", "value": asked},
            {"event": "user", "text": press, "parse_data": {}},
        ],
    )
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_released"]
    assert [(t.status, t.owner) for t in services.hms.tasks] == [
        ("accepted", "p.kim"),
        ("requested", None),
    ]


@pytest.mark.parametrize(
    "text", ["the delivery was done wrong, who do I call", "can you release me from this chat?"]
)
async def test_jobs_words_not_understood_that_ask_or_speak_of_no_job_change_nothing(services, text):
    from actions.fallback import ActionFallback

    ticket = await file()
    await take(ticket)
    messages, _ = await run(ActionFallback(), said("p.kim", "nlu_fallback", text))
    assert kinds(messages) == ["nlu_fallback_rephrase"]
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("accepted", "p.kim")


@pytest.mark.parametrize(
    "text", ["details of HR-000001", "tell me more about HR-000001", "info on HR-000001"]
)
async def test_jobs_details_of_a_job_tell_it_and_take_nothing(services, text):
    ticket = await file()
    trk = said("p.kim", "update_help_task", text, ticket_id=ticket)
    messages, _ = await run(ActionUpdateHelpTask(), trk)
    assert kinds(messages) == ["update_help_task_details"]
    [message] = messages
    assert "4B Bed 2" in message["text"] and "nobody has taken it" in message["text"]
    assert "x-ray" not in message["text"] and "Mary" not in message["text"]
    assert [b["title"] for b in message["buttons"]] == [f"Take {ticket}"]
    task = services.hms.tasks[0]
    assert (task.status, task.owner) == ("requested", None)  # nothing claimed


def after(user: str, intent: str, text: str, last: dict):
    """``text`` right after an answer that left ``last`` in ``last_task``."""
    before = [{"event": "slot", "name": "last_task", "value": last}]
    return tracker(
        user,
        intent=intent,
        text=text,
        slots={"last_task": last},
        events=[*before, {"event": "user", "text": text, "parse_data": {}}],
    )


async def test_jobs_take_the_top_one_then_the_other_one_takes_both(services):
    first = await file(urgency="urgent")
    second = await file(bed="3")
    _, events = await run(ActionListMyJobs(), said("p.kim", "list_my_jobs", "any jobs for me?"))
    listed = next(e["value"] for e in events if e.get("name") == "last_task")
    messages, events = await run(
        ActionUpdateHelpTask(), after("p.kim", "update_help_task", "take the top one", listed)
    )
    assert messages[0]["custom"]["data"]["ticket_id"] == first
    memory = next(e["value"] for e in events if e.get("name") == "last_task")
    messages, _ = await run(
        ActionUpdateHelpTask(), after("p.kim", "update_help_task", "the other one", memory)
    )
    assert kinds(messages) == ["update_help_task_claimed"]  # taken, like the one before
    assert messages[0]["custom"]["data"]["ticket_id"] == second
    assert [(t.status, t.owner) for t in services.hms.tasks] == [("accepted", "p.kim")] * 2


async def test_jobs_the_other_one_with_no_other_changes_nothing(services):
    ticket = await file()
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"take {ticket}"))
    memory = {"listed": [ticket], "job": {"ticket": ticket, "step": "take"}}
    messages, _ = await run(
        ActionUpdateHelpTask(), after("p.kim", "update_help_task", "the other one", memory)
    )
    assert kinds(messages) == ["update_help_task_none"]
    assert services.hms.tasks[0].status == "accepted"  # never marked done


@pytest.mark.parametrize("text", ["next", "and the next one"])
async def test_jobs_next_after_a_finished_job_takes_the_next(services, text):
    done = await file(urgency="urgent")
    waiting = await file(bed="3")
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"take {done}"))
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"done with {done}"))
    memory = {"listed": [], "job": {"ticket": done, "step": "done"}}
    messages, _ = await run(ActionUpdateHelpTask(), after("p.kim", "inform", text, memory))
    assert kinds(messages) == ["update_help_task_claimed"]
    assert messages[0]["custom"]["data"]["ticket_id"] == waiting


async def test_jobs_take_the_next_one_after_giving_one_back_is_another_job(services):
    back = await file(urgency="urgent")
    other = await file(bed="3")
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"take {back}"))
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"release {back}"))
    memory = {"listed": [], "job": {"ticket": back, "step": "release"}}
    messages, _ = await run(
        ActionUpdateHelpTask(), after("p.kim", "update_help_task", "take the next one", memory)
    )
    assert messages[0]["custom"]["data"]["ticket_id"] == other  # not the one given back


async def test_jobs_wrong_one_i_meant_gives_back_and_takes_the_one_meant(services):
    wrong = await file()
    meant = await file(bed="3")
    await run(ActionUpdateHelpTask(), said("p.kim", "update_help_task", f"take {wrong}"))
    memory = {"listed": [], "job": {"ticket": wrong, "step": "take"}}
    text = f"wrong one, I meant {meant}"
    messages, _ = await run(
        ActionUpdateHelpTask(), after("p.kim", "update_help_task", text, memory)
    )
    assert kinds(messages) == ["update_help_task_released", "update_help_task_claimed"]
    assert [(t.status, t.owner) for t in services.hms.tasks] == [
        ("requested", None),
        ("accepted", "p.kim"),
    ]


@pytest.mark.parametrize("text", ["take the top one", "the other one", "next", "and the next one"])
async def test_jobs_follow_ups_of_a_job_list_are_job_steps_whatever_nlu_read(services, text):
    from actions.jobpicks import follows_a_job

    assert follows_a_job(after("p.kim", "inform", text, {"listed": ["HR-000001"]}), text)
    assert not follows_a_job(after("p.kim", "inform", text, {"listed": ["bed-4b-02"]}), text)


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("affirm", "ok"),
        ("nlu_fallback", "take it"),
        ("nlu_fallback", "I'll take it"),
        ("thank", "yes I'll do that one"),
        ("nlu_fallback", "on my way"),
    ],
)
async def test_jobs_ok_or_take_it_to_the_one_job_listed_takes_it(services, intent, text):
    # p.kim: "next job" -> "Waiting (porter): HR-000002 ... [Take HR-000002]", then "take it"
    # -> "Sorry, I didn't get that."
    from actions.conversation import ActionThank
    from actions.fallback import ActionFallback
    from actions.flow import ActionContinue

    ticket = await file(urgency="urgent")
    _, events = await run(ActionListMyJobs(), said("p.kim", "list_my_jobs", "next job"))
    listed = next(e["value"] for e in events if e.get("name") == "last_task")
    route = {"affirm": ActionContinue, "thank": ActionThank}.get(intent, ActionFallback)
    messages, _ = await run(route(), after("p.kim", intent, text, listed))
    assert "update_help_task_claimed" in kinds(messages)
    assert messages[0]["custom"]["data"]["ticket_id"] == ticket
    assert (services.hms.tasks[0].status, services.hms.tasks[0].owner) == ("accepted", "p.kim")


@pytest.mark.parametrize("text", ["ok thanks", "ok", "take it?"])
async def test_jobs_ok_after_several_listed_or_a_step_takes_nothing(services, text):
    from actions.jobpicks import offered_one

    two = {"listed": ["HR-000001", "HR-000002"]}
    stepped = {"listed": ["HR-000001"], "job": {"ticket": "HR-000001", "step": "take"}}
    assert offered_one(after("p.kim", "affirm", text, two), text) is None
    assert offered_one(after("p.kim", "affirm", text, stepped), text) is None
    one = {"listed": ["HR-000001"]}
    expected = "HR-000001" if text == "ok" else None
    assert offered_one(after("p.kim", "affirm", text, one), text) == expected


async def test_jobs_take_the_first_one_under_a_job_of_ones_own_takes_the_first_waiting(services):
    # p.kim 'any jobs for me' -> 'Yours: HR-7 ... Waiting (porter): HR-5 ...; HR-2 ...', then
    # 'take the first one' -> "HR-7 ... is already yours"
    mine = await file()
    waiting = await file(bed="3", urgency="urgent")
    await take(mine)
    _, events = await run(ActionListMyJobs(), said("p.kim", "list_my_jobs", "any jobs for me"))
    listed = next(e["value"] for e in events if e.get("name") == "last_task")
    assert listed["listed"][0] == mine
    messages, _ = await run(
        ActionUpdateHelpTask(), after("p.kim", "update_help_task", "take the first one", listed)
    )
    assert kinds(messages) == ["update_help_task_claimed"]
    assert messages[0]["custom"]["data"]["ticket_id"] == waiting
    assert [(t.status, t.owner) for t in services.hms.tasks] == [("accepted", "p.kim")] * 2


@pytest.mark.parametrize("text", ["got it, on my way to bed 3", "done with bed 3"])
async def test_jobs_a_bed_without_a_ward_is_the_job_at_that_bed_on_any_ward(services, text):
    # c.sam 'got it, on my way to bed 16' (a housekeeping job at 4B bed 16 waiting) -> "I
    # can't find an open job of yours there"
    await file(help_type="housekeeping", bed="2")
    there = await file(help_type="housekeeping", bed="3")
    if text.startswith("done"):
        await run(ActionUpdateHelpTask(), said("c.sam", "update_help_task", f"take {there}"))
    entities = [{"entity": "bed", "value": "3", "start": len(text) - 1, "end": len(text)}]
    messages, _ = await run(
        ActionUpdateHelpTask(), said("c.sam", "update_help_task", text, entities, bed="3")
    )
    step = "update_help_task_completed" if text.startswith("done") else "update_help_task_claimed"
    assert kinds(messages) == [step]
    assert messages[0]["custom"]["data"]["ticket_id"] == there
    assert services.hms.tasks[0].owner is None  # the job at bed 2 untouched
