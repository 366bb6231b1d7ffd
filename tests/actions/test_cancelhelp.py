"""Withdrawing one's own help request: 'cancel my porter request', 'cancel HR-000012'."""

from __future__ import annotations

import pytest

from actions.cancelhelp import ActionCancelHelpRequest
from actions.help import ActionCheckRequestStatus, ActionRequestHelp
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


async def file(user: str, help_type: str = "porter", bed: str = "2") -> str:
    slots = {
        "help_type": help_type,
        "ward": "4B",
        "bed": bed,
        "urgency": "routine",
        "help_description": "wheelchair to x-ray",
    }
    messages, _ = await run(ActionRequestHelp(), tracker(user, slots=slots))
    return str(messages[-1]["custom"]["data"]["ticket_id"])


def cancel(user: str, text: str, **slots) -> object:
    return tracker(user, intent="cancel_help_request", text=text, slots=slots)


def kinds(messages):
    return [m["custom"]["kind"] for m in messages]


async def test_cancelhelp_the_one_open_request_is_cancelled(services):
    ticket = await file("n.jones")
    messages, _ = await run(
        ActionCancelHelpRequest(), cancel("n.jones", "cancel my porter request")
    )
    assert kinds(messages) == ["cancel_help_request_success"]
    data = messages[0]["custom"]["data"]
    assert (data["ticket_id"], data["status"], data["place"]) == (ticket, "cancelled", "4B Bed 2")
    assert services.hms.tasks[0].status == "cancelled"
    assert services.audit.events[-1].outcome == "success"


@pytest.mark.parametrize(
    "said", ["cancel HR-000002", "don't need hr 2 any more", "cancel ticket 2"]
)
async def test_cancelhelp_a_ticket_id_picks_the_request(services, said):
    await file("n.jones")
    second = await file("n.jones", bed="3")
    messages, _ = await run(ActionCancelHelpRequest(), cancel("n.jones", said))
    assert messages[0]["custom"]["data"]["ticket_id"] == second
    assert [t.status for t in services.hms.tasks] == ["requested", "cancelled"]


async def test_cancelhelp_several_open_requests_ask_which_with_buttons(services):
    first, second = await file("n.jones"), await file("n.jones", bed="3")
    messages, _ = await run(
        ActionCancelHelpRequest(), cancel("n.jones", "cancel my porter request")
    )
    assert kinds(messages) == ["cancel_help_request_which"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [
        f'/cancel_help_request{{"ticket_id":"{second}"}}',
        f'/cancel_help_request{{"ticket_id":"{first}"}}',
    ]
    assert {t.status for t in services.hms.tasks} == {"requested"}  # nothing cancelled yet


async def test_cancelhelp_the_kind_named_narrows_the_open_requests(services):
    await file("n.jones")
    cleaning = await file("n.jones", help_type="housekeeping")
    messages, _ = await run(
        ActionCancelHelpRequest(), cancel("n.jones", "cancel the housekeeping request")
    )
    assert messages[0]["custom"]["data"]["ticket_id"] == cleaning


async def test_cancelhelp_someone_elses_request_is_refused_and_unchanged(services):
    ticket = await file("dr.patel")
    messages, _ = await run(ActionCancelHelpRequest(), cancel("n.jones", f"cancel {ticket}"))
    assert kinds(messages) == ["cancel_help_request_denied"]
    assert services.hms.tasks[0].status == "requested"
    assert services.audit.events[-1].outcome == "denied"


@pytest.mark.parametrize("status", ["completed", "cancelled"])
async def test_cancelhelp_a_finished_request_says_so(services, status):
    ticket = await file("n.jones")
    await services.hms.update_task(ticket, status=status)
    messages, _ = await run(ActionCancelHelpRequest(), cancel("n.jones", f"cancel {ticket}"))
    assert kinds(messages) == ["cancel_help_request_closed"]
    assert messages[0]["custom"]["data"]["status"] == status


async def test_cancelhelp_no_open_request_says_so(services):
    messages, _ = await run(
        ActionCancelHelpRequest(), cancel("n.jones", "cancel my porter request")
    )
    assert kinds(messages) == ["cancel_help_request_none"]
    assert not any(c[0] == "update_task" for c in services.hms.calls)


async def test_cancelhelp_an_unknown_ticket_is_not_found(services):
    messages, _ = await run(ActionCancelHelpRequest(), cancel("n.jones", "cancel HR-000099"))
    assert kinds(messages) == ["unknown_ticket"]


async def test_cancelhelp_cancel_that_right_after_filing_is_the_request_just_filed(services):
    await file("n.jones", bed="3")
    ticket = await file("n.jones")
    last = {"intent": "request_help", "ticket": ticket, "slots": {"help_type": "porter"}}
    trk = cancel("n.jones", "actually cancel that", last_task=last)
    messages, events = await run(ActionCancelHelpRequest(), trk)
    assert messages[0]["custom"]["data"]["ticket_id"] == ticket
    assert {"event": "slot", "name": "last_task", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


async def test_cancelhelp_the_bed_named_picks_among_several_open_requests(services):
    await file("n.jones", bed="2")
    at_3 = await file("n.jones", bed="3")
    trk = cancel("n.jones", "cancel the porter for bed 3 on 4B", bed="3", ward="4B")
    messages, _ = await run(ActionCancelHelpRequest(), trk)
    assert messages[0]["custom"]["data"]["ticket_id"] == at_3
    assert [t.status for t in services.hms.tasks] == ["requested", "cancelled"]


async def test_cancelhelp_a_question_about_a_request_is_its_status_not_a_cancel(services):
    await file("n.jones")
    trk = cancel("n.jones", "where is the porter I asked for")
    messages, _ = await run(ActionCancelHelpRequest(), trk)
    assert kinds(messages) == ["check_request_status_success"]
    assert services.hms.tasks[0].status == "requested"


async def test_cancelhelp_cancel_this_request_while_a_form_asks_stops_the_form(services):
    await file("n.jones")
    trk = tracker(
        "n.jones",
        intent="cancel_help_request",
        text="cancel this request",
        active_loop="request_help_form",
    )
    messages, _ = await run(ActionCancelHelpRequest(), trk)
    assert kinds(messages) == ["stop_ok"]
    assert services.hms.tasks[0].status == "requested"


@pytest.mark.parametrize(("text", "stops"), [("cancel it", True), ("cancel my IT request", False)])
async def test_cancelhelp_while_a_form_asks_only_a_named_request_is_cancelled(
    services, text, stops
):
    await file("n.jones", help_type="it")
    trk = tracker(
        "n.jones", intent="cancel_help_request", text=text, active_loop="book_appointment_form"
    )
    messages, _ = await run(ActionCancelHelpRequest(), trk)
    assert (kinds(messages) == ["stop_ok"]) is stops
    assert (services.hms.tasks[0].status == "requested") is stops


@pytest.mark.parametrize(("text", "cancels"), [("no longer need IT", True), ("no thanks", False)])
async def test_cancelhelp_no_longer_need_it_read_as_a_no_withdraws_the_request(
    services, text, cancels
):
    from actions.flow import ActionContinue

    await file("n.jones", help_type="it")
    messages, _ = await run(ActionContinue(), tracker("n.jones", intent="deny", text=text))
    assert ("cancel_help_request_success" in kinds(messages)) is cancels
    assert (services.hms.tasks[0].status == "cancelled") is cancels


async def test_cancelhelp_the_kind_just_filed_is_the_request_just_filed(services):
    await file("n.jones")
    ticket = await file("n.jones")
    last = {"intent": "request_help", "ticket": ticket, "slots": {"help_type": "porter"}}
    trk = cancel("n.jones", "cancel the porter", help_type="porter", last_task=last)
    messages, _ = await run(ActionCancelHelpRequest(), trk)
    assert kinds(messages) == ["cancel_help_request_success"]
    assert [t.status for t in services.hms.tasks] == ["requested", "cancelled"]


@pytest.mark.parametrize(
    "said",
    [
        "cancel it",
        "cancel",
        "scrap that",
        "actually I don't need it",
        "actually cancel that, it works now",
        "cancel it, sorted it myself",
    ],
)
async def test_cancelhelp_a_stop_right_after_filing_withdraws_the_request_just_filed(
    services, said
):
    # NLU reads "cancel it" as a stop; with nothing in progress and a request just filed,
    # that request is the one meant (it had answered "OK." and left it open)
    from actions.flow import ActionStop

    await file("n.jones", bed="3")
    ticket = await file("n.jones")
    last = {"intent": "request_help", "ticket": ticket, "slots": {"help_type": "porter"}}
    trk = tracker("n.jones", intent="stop", text=said, slots={"last_task": last})
    messages, _ = await run(ActionStop(), trk)
    assert kinds(messages) == ["cancel_help_request_success"]
    assert messages[0]["custom"]["data"]["ticket_id"] == ticket
    assert [t.status for t in services.hms.tasks] == ["requested", "cancelled"]


@pytest.mark.parametrize("said", ["never mind", "forget it", "cancel it"])
async def test_cancelhelp_a_stop_with_nothing_filed_just_before_cancels_nothing(services, said):
    from actions.flow import ActionStop

    await file("n.jones")
    trk = tracker("n.jones", intent="stop", text=said)
    messages, _ = await run(ActionStop(), trk)
    assert kinds(messages) == ["stop_ok"]
    assert [t.status for t in services.hms.tasks] == ["requested"]


async def status_then(user: str, asked: str, said: str, intent: str = "stop"):
    """The status answer to ``asked``, then ``said`` with what it showed in ``last_task``."""
    from actions.help import ActionCheckRequestStatus

    _, events = await run(
        ActionCheckRequestStatus(), tracker(user, intent="check_request_status", text=asked)
    )
    last = next(e["value"] for e in events if e.get("name") == "last_task")
    before = [{"event": "slot", "name": "last_task", "value": last}]
    return tracker(
        user,
        intent=intent,
        text=said,
        slots={"last_task": last},
        events=[*before, {"event": "user", "text": said, "parse_data": {}}],
    )


@pytest.mark.parametrize("said", ["cancel it", "cancel that request", "actually yes cancel it"])
async def test_cancelhelp_cancel_it_right_after_a_status_cancels_that_request(services, said):
    from actions.flow import ActionStop

    first = await file("n.jones")
    await file("n.jones", bed="3")
    trk = await status_then("n.jones", f"status of {first}", said)
    messages, _ = await run(ActionStop(), trk)
    assert kinds(messages) == ["cancel_help_request_success"]
    assert [t.status for t in services.hms.tasks] == ["cancelled", "requested"]


async def test_cancelhelp_cancel_that_request_read_as_a_cancel_after_a_status(services):
    first = await file("n.jones")
    await file("n.jones", bed="3")
    trk = await status_then(
        "n.jones", f"status of {first}", "cancel that request", "cancel_help_request"
    )
    messages, _ = await run(ActionCancelHelpRequest(), trk)
    assert kinds(messages) == ["cancel_help_request_success"]  # not "Which one?"
    assert [t.status for t in services.hms.tasks] == ["cancelled", "requested"]


@pytest.mark.parametrize(
    ("said", "pick"), [("cancel the first one", 1), ("cancel the last one", 0)]
)
async def test_cancelhelp_the_nth_of_my_requests_just_listed_is_cancelled(services, said, pick):
    from actions.flow import ActionNewRequest

    await file("n.jones")
    await file("n.jones", bed="3")
    # listed newest first: HR-000002, HR-000001
    trk = await status_then("n.jones", "my requests", said, "cancel_appointment")
    messages, _ = await run(ActionNewRequest(), trk)
    assert kinds(messages) == ["cancel_help_request_success"]  # not the appointment form
    assert services.hms.tasks[pick].status == "cancelled"
    assert services.hms.tasks[1 - pick].status == "requested"


async def test_cancelhelp_the_choice_of_requests_says_what_each_is_for(services):
    # 'cancel the MRI porter' got two buttons alike: 'HR-2 porter, 4B Bed 8 (urgent)'
    await file("n.jones")
    await file("n.jones", bed="3")
    messages, _ = await run(ActionCancelHelpRequest(), cancel("n.jones", "cancel my porter"))
    assert kinds(messages) == ["cancel_help_request_which"]
    assert all('"wheelchair to x-ray"' in b["title"] for b in messages[0]["buttons"])


async def test_cancelhelp_a_word_of_one_requests_description_picks_it(services):
    await file("n.jones")
    slots = {"help_type": "porter", "ward": "4B", "bed": "3", "urgency": "urgent"}
    slots["help_description"] = "take him down to MRI for 3pm"
    filed, _ = await run(ActionRequestHelp(), tracker("n.jones", slots=slots))
    mri = filed[-1]["custom"]["data"]["ticket_id"]
    messages, _ = await run(ActionCancelHelpRequest(), cancel("n.jones", "cancel the MRI porter"))
    assert kinds(messages) == ["cancel_help_request_success"]
    assert messages[0]["custom"]["data"]["ticket_id"] == mri


async def test_cancelhelp_the_status_list_says_what_each_request_is_for(services):
    from actions.help import ActionCheckRequestStatus

    await file("n.jones")
    trk = tracker("n.jones", intent="check_request_status", text="status of my requests")
    messages, _ = await run(ActionCheckRequestStatus(), trk)
    assert '"wheelchair to x-ray"' in messages[0]["text"]


@pytest.mark.parametrize(
    ("description", "said"),
    [
        ("porter to 4B bed 3 please, routine, wheelchair to x-ray", ' - "wheelchair to x-ray"'),
        ("take him down to MRI for his 3pm scan", ' - "take him down to MRI..."'),
        ("porter to 4B-05 asap", ""),
        ("pt 10176509 to CT", ' - "pt [mrn] to CT"'),
        # n.jones 'my requests' showed 'HR-6 housekeeping: requested - "and you too, spill"'
        ("and can you get housekeeping to bed 8 too, spill", ' - "spill"'),
        ("wheelchair and oxygen to x-ray", ' - "wheelchair and oxygen to x-ray"'),
    ],
)
def test_cancelhelp_what_a_request_is_for_is_its_descriptions_first_new_words(description, said):
    from types import SimpleNamespace

    from actions.helptasks import what_for

    assert what_for(SimpleNamespace(description=description)) == said  # type: ignore[arg-type]


async def test_cancelhelp_the_mri_one_of_my_requests_just_listed_is_cancelled(services):
    # n.jones 'is my porter coming?' (the list: ... HR-9 porter - "wheelchair to MRI" ...),
    # then 'cancel the MRI one' (NLU: an appointment's cancel) -> "What is the patient's
    # full name (or their MRN)?"
    from actions.flow import ActionNewRequest

    await file("n.jones")
    slots = {"help_type": "porter", "ward": "4B", "bed": "3", "urgency": "urgent"}
    slots["help_description"] = "wheelchair to MRI"
    await run(ActionRequestHelp(), tracker("n.jones", slots=slots))
    trk = await status_then(
        "n.jones", "is my porter coming?", "cancel the MRI one", "cancel_appointment"
    )
    messages, _ = await run(ActionNewRequest(), trk)
    assert kinds(messages) == ["cancel_help_request_success"]  # not the appointment form
    assert [t.status for t in services.hms.tasks] == ["requested", "cancelled"]


async def test_cancelhelp_a_word_no_listed_request_shows_cancels_nothing_from_the_list(services):
    from actions.shownrequests import described_in_list

    about = {"HR-000002": "wheelchair to MRI", "HR-000001": "wheelchair to x-ray"}
    assert described_in_list(about, "cancel the MRI one") == "HR-000002"
    assert described_in_list(about, "cancel the wheelchair one") is None  # both
    assert described_in_list(about, "cancel the CT one") is None
    assert described_in_list(None, "cancel the MRI one") is None


async def test_cancelhelp_the_gym_one_when_the_list_shows_only_the_request_just_filed(services):
    from actions.flow import ActionNewRequest
    from tests.actions.test_amend import filed

    last = await filed()  # "wheelchair to x-ray", HR-000001, kept in last_task
    _, events = await run(
        ActionCheckRequestStatus(),
        tracker(
            "n.jones",
            intent="check_request_status",
            text="is my porter coming?",
            slots={"last_task": last},
        ),
    )
    shown = next(e["value"] for e in events if e.get("name") == "last_task")
    assert shown["ticket"] == "HR-000001"  # still the request just filed ("make that urgent")
    said = "cancel the x-ray one"
    before = [{"event": "slot", "name": "last_task", "value": shown}]
    trk = tracker(
        "n.jones",
        intent="cancel_appointment",
        text=said,
        slots={"last_task": shown},
        events=[*before, {"event": "user", "text": said, "parse_data": {}}],
    )
    messages, _ = await run(ActionNewRequest(), trk)
    assert kinds(messages) == ["cancel_help_request_success"]
    assert services.hms.tasks[0].status == "cancelled"
