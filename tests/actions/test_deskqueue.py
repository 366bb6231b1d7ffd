"""The help desk's queue in chat: a help-desk agent asking about handoff tickets sees the
queue (no patient data, no message text) and is never put in it; other staff keep
opening tickets and reading their own requests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actions.base import GuardedAction
from actions.deskqueue import asks_queue
from actions.handoff import ActionTalkToHuman
from actions.help import ActionCheckRequestStatus
from actions.registry import guarded_action
from actions.services import set_services
from assistant.handoff.tickets import Ticket, TicketNotFound
from tests.actions.fakes import NOW, FakeTickets, make_services, run, tracker


def _ticket(number: int, status: str, minutes: int, claimer: str | None = None) -> Ticket:
    return Ticket(
        ticket_id=f"HD-{number:06d}",
        requester="n.jones",
        channel="rest",
        conversation_id=f"rest:n.jones:{number}",
        reason="user_request",
        summary={"last_task": "locate_patient", "role": "nurse", "turns": 3},
        status=status,
        claimer=claimer,
        created_at=NOW - timedelta(minutes=minutes),
        updated_at=NOW,
        rating=None,
    )


class QueueTickets(FakeTickets):
    """The fake ticket store with tickets already in it (open_tickets / get)."""

    def __init__(self, tickets: list[Ticket]) -> None:
        super().__init__()
        self.tickets = {t.ticket_id: t for t in tickets}

    def open_tickets(self) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.status in ("open", "claimed")]

    def get(self, ticket_id: str) -> Ticket:
        if ticket_id not in self.tickets:
            raise TicketNotFound(ticket_id)
        return self.tickets[ticket_id]


@pytest.fixture
def services():
    store = QueueTickets(
        [
            _ticket(5, "claimed", 40, claimer="m.evans"),
            _ticket(6, "resolved", 90),
            _ticket(7, "open", 12),
        ]
    )
    svc = make_services(tickets=store)
    set_services(svc)
    return svc


def kinds(messages):
    return [m["custom"]["kind"] for m in messages]


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("check_request_status", "any tickets waiting?"),
        ("talk_to_human", "help desk tickets open?"),
        ("list_my_jobs", "what's in the queue"),
        ("ask_capabilities", "show open handoffs"),
        ("check_request_status", "any open tickets"),
    ],
)
async def test_deskqueue_help_desk_question_lists_queue_and_opens_no_ticket(services, intent, text):
    action = guarded_action(intent)
    messages, _ = await run(action, tracker("h.lee", intent=intent, text=text))
    assert kinds(messages) == ["handoff_queue_success"]
    data = messages[0]["custom"]["data"]
    assert data["total"] == 2
    assert [t["ticket_id"] for t in data["tickets"]] == ["HD-000007", "HD-000005"]
    assert data["tickets"][0] == {
        "ticket_id": "HD-000007",
        "status": "open",
        "channel": "rest",
        "waiting_minutes": 12,
    }
    assert data["tickets"][1]["claimed_by"] == "m.evans"
    assert "Slack help-desk channel" in messages[0]["text"]
    assert "via web chat" in messages[0]["text"] and "via rest" not in messages[0]["text"]
    assert services.tickets.opened == []  # nobody was put in the queue
    event = services.audit.events[-1]
    assert (event.action, event.permission, event.outcome) == (
        "action_handoff_queue",
        "handoff:claim",
        "success",
    )


async def test_deskqueue_list_shows_no_requester_or_conversation(services):
    messages, _ = await run(
        guarded_action("check_request_status"),
        tracker("h.lee", intent="check_request_status", text="any tickets waiting?"),
    )
    said = messages[0]["text"] + repr(messages[0]["custom"]["data"])
    assert "n.jones" not in said and "locate_patient" not in said and "rest:" not in said


async def test_deskqueue_hd_id_shows_that_ticket_not_waiting_reply(services):
    trk = tracker(
        "h.lee",
        intent="check_request_status",
        text="show me HD-000007",
        slots={"ticket_id": "HD-000007"},
    )
    messages, _ = await run(ActionCheckRequestStatus(), trk)
    assert kinds(messages) == ["handoff_queue_ticket"]
    assert messages[0]["custom"]["data"]["status"] == "open"
    assert "Passed to the help desk" not in messages[0]["text"]
    assert services.tickets.opened == []


async def test_deskqueue_unknown_hd_id_says_so(services):
    trk = tracker("h.lee", intent="update_help_task", text="is HD-000099 claimed?")
    messages, _ = await run(guarded_action("update_help_task"), trk)
    assert kinds(messages) == ["unknown_ticket"]
    assert services.audit.events[-1].outcome == "not_found"


async def test_deskqueue_help_desk_asking_for_a_person_opens_a_ticket(services):
    # "get me a person" (no queue words) from an agent: a colleague or a supervisor wanted
    trk = tracker("h.lee", intent="talk_to_human", text="get me a person")
    messages, _ = await run(ActionTalkToHuman(), trk)
    assert kinds(messages) == ["talk_to_human_success"]
    assert [t["requester"] for t in services.tickets.opened] == ["h.lee"]


async def test_deskqueue_nurse_asking_for_person_still_opens_ticket(services):
    trk = tracker("n.jones", intent="talk_to_human", text="talk to a person")
    messages, _ = await run(ActionTalkToHuman(), trk)
    assert kinds(messages) == ["talk_to_human_success"]
    assert [t["requester"] for t in services.tickets.opened] == ["n.jones"]


async def test_deskqueue_nurse_queue_words_keep_todays_behaviour(services):
    trk = tracker("n.jones", intent="talk_to_human", text="help desk tickets open?")
    messages, _ = await run(ActionTalkToHuman(), trk)
    assert kinds(messages) == ["talk_to_human_success"]  # she asked the help desk
    trk = tracker("n.jones", intent="check_request_status", text="any tickets waiting?")
    messages, _ = await run(ActionCheckRequestStatus(), trk)
    assert kinds(messages) == ["check_request_status_none"]  # her own requests
    assert services.audit.events[-1].action == "action_check_request_status"


async def test_deskqueue_help_desk_own_requests_stay_requests(services):
    trk = tracker("h.lee", intent="check_request_status", text="what about my requests")
    messages, _ = await run(ActionCheckRequestStatus(), trk)
    assert kinds(messages) == ["check_request_status_none"]


async def test_deskqueue_empty_queue_says_none():
    svc = make_services(tickets=QueueTickets([_ticket(6, "resolved", 90)]))
    set_services(svc)
    trk = tracker("h.lee", intent="check_request_status", text="any tickets waiting?")
    messages, _ = await run(ActionCheckRequestStatus(), trk)
    assert kinds(messages) == ["handoff_queue_none"]
    assert messages[0]["custom"]["data"] == {"tickets": [], "total": 0}


def test_deskqueue_queue_action_needs_handoff_claim():
    from actions.deskqueue import ActionHandoffQueue

    action: GuardedAction = ActionHandoffQueue()
    assert action.permission == "handoff:claim"


@pytest.mark.parametrize(
    ("text", "queue"),
    [
        ("any tickets waiting?", True),
        ("help desk tickets open?", True),
        ("what's in the queue", True),
        ("show open handoffs", True),
        ("show me HD-000007", True),
        ("is hd 7 claimed", True),
        ("status of HR-000012", False),
        ("any news on ticket 12", False),
        ("my tickets", False),
        ("any IT tickets open", False),
        ("is it done", False),
    ],
)
def test_deskqueue_asks_queue_tells_queue_from_help_requests(text, queue):
    assert asks_queue(text) is queue
