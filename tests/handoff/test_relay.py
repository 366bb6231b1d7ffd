from __future__ import annotations

import asyncio
import json

import pytest

from assistant.handoff import TicketAlreadyClaimed
from assistant.handoff.ports import NotAllowed
from assistant.handoff.relay import (
    PASSED,
    RATE_PAYLOAD,
    RETURNED,
    STILL_WAITING,
    THANKS,
    WITHDRAW_HINT,
)
from tests.handoff.handoff_kit import (
    H_LEE,
    HELPDESK,
    M_EVANS,
    NURSE,
    REQUESTER_DM,
    RecordingAssistant,
    fake_slack,
    open_ticket,
)

STAFF, CHANNEL, CONV = "n.jones", "slack", REQUESTER_DM
H_LEE_DM = "D" + H_LEE.ref[1:]


async def say(service, text):
    return await service.intercept(STAFF, CHANNEL, CONV, text)


def posts(api, channel, start=0):
    return [p for p in api.calls_to("chat.postMessage")[start:] if p.get("channel") == channel]


async def test_relay_without_ticket_lets_the_assistant_answer(make_worker):
    service = make_worker()
    assert await say(service, "free beds on 4B") is None


async def test_relay_acknowledges_every_message_while_waiting(make_worker):
    service = make_worker()
    ticket = open_ticket(service)
    first = await say(service, "my printer on 4B is broken")
    second = await say(service, "it shows error 42")
    assert [r.custom["kind"] for r in first + second] == ["handoff_waiting"] * 2
    assert first[0].text == PASSED.format(ticket=ticket.ticket_id) + WITHDRAW_HINT
    assert second[0].text == STILL_WAITING.format(ticket=ticket.ticket_id)  # short after
    assert second[0].custom["data"] == {"ticket_id": ticket.ticket_id}
    texts = [m["text"] for m in service.tickets.messages(ticket.ticket_id)]
    assert texts[-2:] == ["my printer on 4B is broken", "it shows error 42"]


async def test_relay_acknowledgement_names_who_has_the_ticket(make_worker):
    service = make_worker()
    ticket = open_ticket(service)
    await service.claim(ticket.ticket_id, H_LEE)
    replies = await say(service, "still broken")
    assert replies[0].custom == {
        "phi": False,
        "kind": "handoff_waiting",
        "data": {"ticket_id": ticket.ticket_id, "claimed_by": "h.lee"},
    }
    assert "h.lee" in replies[0].text


@pytest.mark.parametrize(
    "text", ["cancel", "never mind, sorted it", "forget it", "I don't need help any more"]
)
async def test_relay_withdraw_returns_to_the_assistant_and_updates_the_card(
    make_worker, slack_api, text
):
    service = make_worker()
    ticket = open_ticket(service)
    await service.announce(ticket.ticket_id)
    replies = await say(service, text)
    assert [r.custom["kind"] for r in replies] == ["handoff_withdrawn"]
    assert replies[0].custom["data"] == {"ticket_id": ticket.ticket_id}
    assert service.tickets.get(ticket.ticket_id).status == "withdrawn"
    update = slack_api.calls_to("chat.update")[-1]
    assert update["channel"] == HELPDESK and "Withdrawn by the requester" in json.dumps(
        update["blocks"]
    )
    assert not fake_slack.buttons_of(update)  # nothing left to claim
    assert await say(service, "free beds on 4B") is None  # the assistant answers again


async def test_relay_withdraw_after_claim_tells_the_claimer(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    await service.announce(ticket.ticket_id)
    await service.claim(ticket.ticket_id, H_LEE)
    await say(service, "never mind, it's working now")
    notes = [p["text"] for p in posts(slack_api, H_LEE_DM) if p.get("thread_ts")]
    assert notes[-1] == f"n.jones withdrew {ticket.ticket_id}: no longer needs help."


@pytest.mark.parametrize("text", ["no", "cancel the appointment for bed 4", "don't cancel"])
async def test_relay_other_messages_are_not_withdrawals(make_worker, text):
    service = make_worker()
    ticket = open_ticket(service)
    replies = await say(service, text)
    assert replies[0].custom["kind"] == "handoff_waiting"
    assert service.tickets.get(ticket.ticket_id).status == "open"


async def test_relay_card_shows_summary_without_phi(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    assert await service.announce(ticket.ticket_id)
    assert not await service.announce(ticket.ticket_id)  # one card per ticket
    cards = posts(slack_api, HELPDESK)
    assert len(cards) == 1
    shown = json.dumps(cards[0])
    assert ticket.ticket_id in shown and "book appointment" in shown
    assert "10004821" not in shown and "Alice Walker" not in shown
    assert [b["action_id"] for b in fake_slack.buttons_of(cards[0])] == ["hd_claim"]


async def test_relay_messages_sent_before_claim_reach_the_claimer(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    await service.announce(ticket.ticket_id)
    await say(service, "first while nobody is there")
    await say(service, "second while nobody is there")
    assert not [p for p in posts(slack_api, H_LEE_DM) if "nobody" in p["text"]]
    await service.claim(ticket.ticket_id, H_LEE)
    dm = posts(slack_api, H_LEE_DM)
    assert any("You claimed" in p["text"] for p in dm)
    relayed = [p for p in dm if p.get("thread_ts")]
    assert [p["text"] for p in relayed] == [
        "*n.jones:* first while nobody is there",
        "*n.jones:* second while nobody is there",
    ]
    assert {p["thread_ts"] for p in relayed} == {service.state.get(ticket.ticket_id).relay_ts}
    update = slack_api.calls_to("chat.update")[-1]
    assert update["channel"] == HELPDESK and "Claimed by" in json.dumps(update["blocks"])


async def test_relay_claim_has_exactly_one_winner(make_worker):
    service = make_worker()
    ticket = open_ticket(service)
    await service.announce(ticket.ticket_id)
    results = await asyncio.gather(
        service.claim(ticket.ticket_id, H_LEE),
        service.claim(ticket.ticket_id, M_EVANS),
        return_exceptions=True,
    )
    losers = [r for r in results if isinstance(r, TicketAlreadyClaimed)]
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(losers) == 1 and len(winners) == 1
    assert service.tickets.get(ticket.ticket_id).claimer == winners[0].claimer


async def test_relay_claim_needs_the_helpdesk_role_and_is_audited(make_worker, audit):
    service = make_worker()
    ticket = open_ticket(service)
    with pytest.raises(NotAllowed):
        await service.claim(ticket.ticket_id, NURSE)
    assert service.tickets.get(ticket.ticket_id).status == "open"
    assert audit.events[-1].outcome == "denied" and audit.events[-1].staff == "n.jones"
    await service.claim(ticket.ticket_id, H_LEE)
    event = audit.events[-1]
    assert (event.staff, event.permission, event.outcome, event.resource) == (
        "h.lee",
        "handoff:claim",
        "success",
        f"Ticket/{ticket.ticket_id}",
    )


async def test_relay_full_transcript_goes_to_the_claimer_only(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    await service.announce(ticket.ticket_id)
    await service.claim(ticket.ticket_id, H_LEE)
    with_mrn = [c for c in slack_api.calls if "10004821" in json.dumps(c.params)]
    assert with_mrn, "the claimer should see the full transcript"
    assert all(c.params.get("channel") == H_LEE_DM for c in with_mrn)


async def test_relay_agent_reply_reaches_the_requester_dm(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    await service.claim(ticket.ticket_id, H_LEE)
    assert await service.agent_says(ticket.ticket_id, H_LEE, "Try restarting the printer")
    to_requester = [p["text"] for p in posts(slack_api, REQUESTER_DM)]
    assert "h.lee from the help desk has joined" in to_requester[0]
    assert to_requester[-1] == "Help desk (h.lee): Try restarting the printer"
    assert service.tickets.messages(ticket.ticket_id)[-1]["role"] == "agent"


async def test_relay_only_the_claimer_can_reply_or_close(make_worker):
    service = make_worker()
    ticket = open_ticket(service)
    await service.claim(ticket.ticket_id, H_LEE)
    with pytest.raises(NotAllowed):
        await service.agent_says(ticket.ticket_id, M_EVANS, "hello")
    with pytest.raises(NotAllowed):
        await service.resolve(ticket.ticket_id, M_EVANS)


async def test_relay_return_hands_back_and_resumes_the_form(make_worker, slack_api):
    service = make_worker()
    assistant = RecordingAssistant()
    service.attach_assistant(assistant)
    ticket = open_ticket(service)
    await service.claim(ticket.ticket_id, H_LEE)
    await service.return_to_assistant(ticket.ticket_id, H_LEE)
    assert service.tickets.get(ticket.ticket_id).status == "returned"
    assert assistant.turns[-1]["text"] == "/book_appointment"  # the half-filled form resumes
    texts = [p["text"] for p in posts(slack_api, REQUESTER_DM)]
    assert RETURNED in texts and texts[-1] == "And the patient's MRN (8 digits)?"
    assert await say(service, "free beds on 4B") is None  # the assistant answers again


async def test_relay_resolve_asks_for_a_rating_and_stores_it(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    await service.claim(ticket.ticket_id, H_LEE)
    await service.resolve(ticket.ticket_id, H_LEE)
    ask = posts(slack_api, REQUESTER_DM)[-1]
    buttons = fake_slack.buttons_of(ask)
    assert [b["text"]["text"] for b in buttons] == ["1", "2", "3", "4", "5"]
    payload = json.loads(buttons[3]["value"])["p"]
    assert payload.startswith(RATE_PAYLOAD)
    replies = await say(service, payload)
    assert [r.text for r in replies] == [THANKS]
    assert service.tickets.get(ticket.ticket_id).rating == 4


async def test_relay_rating_refused_for_someone_elses_ticket(make_worker):
    service = make_worker()
    ticket = open_ticket(service)
    await service.claim(ticket.ticket_id, H_LEE)
    await service.resolve(ticket.ticket_id, H_LEE)
    payload = RATE_PAYLOAD + json.dumps({"ticket": ticket.ticket_id, "rating": 1})
    replies = await service.intercept("p.kim", "slack", "D0PKIM", payload)
    assert "own" in replies[0].text
    assert service.tickets.get(ticket.ticket_id).rating is None


async def test_relay_emergency_is_kept_relayed_and_flagged_without_phi(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    await service.announce(ticket.ticket_id)
    await service.claim(ticket.ticket_id, H_LEE)
    text = "Alice Walker in bed 4 is not breathing"
    assert await service.emergency(STAFF, CHANNEL, CONV, text, "airway")
    assert service.tickets.messages(ticket.ticket_id)[-1]["text"] == text
    relayed = [p["text"] for p in posts(slack_api, H_LEE_DM) if p.get("thread_ts")]
    assert f"*n.jones:* {text}" in relayed  # the claimer sees the message (DM)
    flags = [p for p in posts(slack_api, HELPDESK) if p.get("thread_ts")]
    assert "emergency (airway)" in flags[-1]["text"] and flags[-1]["reply_broadcast"]
    assert "Alice" not in json.dumps(flags) and "bed 4" not in json.dumps(flags)
    assert service.tickets.get(ticket.ticket_id).status == "claimed"  # still with the desk


async def test_relay_emergency_without_ticket_is_left_to_the_assistant(make_worker):
    service = make_worker()
    assert not await service.emergency(STAFF, CHANNEL, CONV, "fire in the sluice", "fire")
    open_ticket(service)
    assert await say(service, "/emergency") is None  # the safety net's intent reaches Rasa


async def test_relay_kiosk_requester_reads_the_inbox(make_worker):
    service = make_worker()
    sender = "kiosk:n.jones:k-4b-1"
    ticket = open_ticket(service, sender)
    await service.intercept("n.jones", "kiosk", "k-4b-1", "the badge reader is broken")
    await service.claim(ticket.ticket_id, H_LEE)
    await service.agent_says(ticket.ticket_id, H_LEE, "On my way")
    items = await service.inbox.pull(sender)
    assert [i["text"] for i in items][-1] == "Help desk (h.lee): On my way"
    assert await service.inbox.pull(sender) == []


async def test_relay_thread_lookup_finds_the_ticket(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)
    await service.claim(ticket.ticket_id, H_LEE)
    state = service.state.get(ticket.ticket_id)
    assert state.relay_channel == H_LEE_DM
    found = await service.ticket_for_thread(state.relay_channel, state.relay_ts)
    assert found == ticket.ticket_id
    assert await service.ticket_for_thread(state.relay_channel, "1.000") is None


async def test_relay_transcript_not_shown_when_the_audit_fails(make_worker, slack_api, audit):
    service = make_worker()
    ticket = open_ticket(service)
    audit.fail = True
    await service.claim(ticket.ticket_id, H_LEE)
    assert service.tickets.get(ticket.ticket_id).status == "claimed"  # relay still works
    assert not [c for c in slack_api.calls if "10004821" in json.dumps(c.params)]


@pytest.mark.parametrize("case", ["missing", "open", "out-of-range", "malformed-id"])
async def test_relay_rating_errors_are_clear_answers_not_500s(make_worker, caplog, case):
    from assistant.handoff.relay import NOT_RATEABLE

    service = make_worker()
    ticket = open_ticket(service)
    target = {"missing": "HD-999999", "malformed-id": "Zebedee Quill 01/02/1950"}.get(
        case, ticket.ticket_id
    )
    rating = 9 if case == "out-of-range" else 4
    if case == "out-of-range":
        await service.claim(ticket.ticket_id, H_LEE)
        await service.resolve(ticket.ticket_id, H_LEE)
    payload = RATE_PAYLOAD + json.dumps({"ticket": target, "rating": rating})
    with caplog.at_level("DEBUG"):
        replies = await say(service, payload)
    assert [r.text for r in replies] == [NOT_RATEABLE]
    assert service.tickets.get(ticket.ticket_id).rating is None
    assert "Zebedee" not in caplog.text and "1950" not in caplog.text


async def test_relay_withdraw_then_a_request_withdraws_and_answers_the_request(make_worker):
    # "actually never mind, any free beds on 4B?": the ticket is withdrawn, the assistant
    # answers the rest
    sent: list[str] = []

    class Assistant:
        async def send(self, *, staff, channel, conversation, text):
            sent.append(text)
            from assistant.conversation import Reply

            return [
                Reply(
                    text="Ward 4B has 2 free beds.",
                    custom={"kind": "check_bed_availability_success"},
                )
            ]

    service = make_worker()
    service.attach_assistant(Assistant())
    ticket = open_ticket(service)
    replies = await say(service, "actually never mind, any free beds on 4B?")
    assert [r.custom["kind"] for r in replies] == [
        "handoff_withdrawn",
        "check_bed_availability_success",
    ]
    assert sent == ["any free beds on 4B?"]
    assert service.tickets.get(ticket.ticket_id).status == "withdrawn"
