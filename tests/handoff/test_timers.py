from __future__ import annotations

import json

from assistant.handoff.relay import STILL_WAITING
from tests.handoff.handoff_kit import H_LEE, HELPDESK, ONCALL, REQUESTER_DM, open_ticket

ONCALL_DM = "D" + ONCALL[1:]


def _posts(api, channel):
    return [p for p in api.calls_to("chat.postMessage") if p.get("channel") == channel]


async def test_timers_tick_posts_the_card_of_a_new_ticket(make_worker, slack_api):
    service = make_worker()
    ticket = open_ticket(service)  # opened by the action server: no card yet
    counts = await service.tick()
    assert counts["announced"] == 1
    assert ticket.ticket_id in _posts(slack_api, HELPDESK)[0]["text"]
    assert (await service.tick())["announced"] == 0


async def test_timers_remind_then_escalate_to_oncall_once(make_worker, slack_api, clock):
    service = make_worker()
    ticket = open_ticket(service)
    await service.tick()
    clock.advance(4)
    assert (await service.tick())["reminded"] == 0
    clock.advance(1)  # 5 minutes: re-announced
    assert (await service.tick())["reminded"] == 1
    reminder = _posts(slack_api, HELPDESK)[-1]
    card_ts = service.state.get(ticket.ticket_id).card_ts
    assert reminder["thread_ts"] == card_ts and "still waiting" in reminder["text"]
    assert (await service.tick()) == {"announced": 0, "reminded": 0, "escalated": 0, "flushed": 0}
    clock.advance(9)
    assert (await service.tick())["escalated"] == 0
    clock.advance(1)  # 5 + 10 minutes: escalated to the on-call agent
    assert (await service.tick())["escalated"] == 1
    oncall = _posts(slack_api, ONCALL_DM)
    assert len(oncall) == 1 and ticket.ticket_id in oncall[0]["text"]
    assert "10004821" not in json.dumps(oncall[0])
    clock.advance(60)
    assert (await service.tick())["escalated"] == 0


async def test_timers_claimed_ticket_is_not_reminded(make_worker, slack_api, clock):
    service = make_worker()
    ticket = open_ticket(service)
    await service.tick()
    await service.claim(ticket.ticket_id, H_LEE)
    clock.advance(30)
    assert (await service.tick())["reminded"] == 0
    assert not _posts(slack_api, "D" + ONCALL[1:])


async def test_timers_two_workers_remind_once(make_worker, slack_api, clock):
    first, second = make_worker(name="a"), make_worker(name="b")
    open_ticket(first)
    await first.tick()
    await second.tick()
    clock.advance(6)
    counts = [await first.tick(), await second.tick()]
    assert sum(c["reminded"] for c in counts) == 1
    assert sum(c["announced"] for c in counts) == 0


async def test_timers_restart_keeps_ticket_messages_and_state(make_worker, slack_api):
    before = make_worker(name="before")
    ticket = open_ticket(before)
    await before.tick()
    await before.intercept("n.jones", "slack", REQUESTER_DM, "sent before the restart")
    card = before.state.get(ticket.ticket_id)
    await before.aclose()

    after = make_worker(name="after")  # a new gateway process over the same store file
    assert after.tickets.get(ticket.ticket_id).status == "open"
    assert after.state.get(ticket.ticket_id) == card
    assert (await after.tick())["announced"] == 0  # the card is not posted twice
    replies = await after.intercept("n.jones", "slack", REQUESTER_DM, "and one after it")
    assert replies[0].text == STILL_WAITING.format(ticket=ticket.ticket_id)  # told once before
    await after.claim(ticket.ticket_id, H_LEE)
    update = slack_api.calls_to("chat.update")[-1]
    assert (update["channel"], update["ts"]) == (card.card_channel, card.card_ts)
    relayed = [p["text"] for p in _posts(slack_api, "D" + H_LEE.ref[1:]) if p.get("thread_ts")]
    assert relayed == ["*n.jones:* sent before the restart", "*n.jones:* and one after it"]
