"""DMs, mentions and /hms reach the assistant with the right conversation; bots are ignored."""

from __future__ import annotations

import asyncio

U = "U0NJONES"


async def test_dm_reaches_assistant_as_dm_conversation(slack):
    response = await slack.dm(U, "free beds on 4B")
    assert response.status_code == 200
    posted = await slack.posted()
    assert slack.assistant.turns == [
        {
            "staff": "n.jones",
            "channel": "slack",
            "conversation": "D0NJONES",
            "text": "free beds on 4B",
        }
    ]
    assert posted["channel"] == "D0NJONES"
    assert posted["text"] == "echo: free beds on 4B"


async def test_mention_answers_in_thread_with_thread_conversation(slack):
    await slack.mention(U, "free beds", ts="1700000000.000100")
    posted = await slack.posted()
    assert slack.assistant.turns[0]["conversation"] == "C0WARD4B-1700000000.000100"
    assert slack.assistant.turns[0]["text"] == "free beds"
    assert posted["channel"] == "C0WARD4B"
    assert posted["thread_ts"] == "1700000000.000100"


async def test_mention_inside_thread_keeps_thread_conversation(slack):
    await slack.mention(U, "and on 5A?", thread_ts="1699999999.000001", ts="1700000005.000001")
    await slack.posted()
    assert slack.assistant.turns[0]["conversation"] == "C0WARD4B-1699999999.000001"


async def test_command_in_channel_answers_ephemeral(slack):
    response = await slack.command(U, "free beds")
    assert response.status_code == 200
    posted = await slack.posted("chat.postEphemeral")
    assert posted["user"] == U and posted["channel"] == "C0WARD4B"
    assert slack.fake.calls_to("chat.postMessage") == []
    assert slack.assistant.turns[0]["conversation"] == "C0WARD4B"


async def test_command_in_dm_posts_in_dm(slack):
    await slack.command(U, "free beds", channel="D0NJONES")
    posted = await slack.posted()
    assert posted["channel"] == "D0NJONES"


async def test_command_without_text_shows_usage_and_skips_assistant(slack):
    response = await slack.command(U, "  ")
    assert "/hms" in response.text
    await slack.settle()
    assert slack.assistant.turns == []


async def test_command_ack_does_not_wait_for_assistant(slack):
    slack.assistant.delay = 0.5
    response = await slack.command(U, "slow one")
    assert response.status_code == 200
    assert slack.fake.calls_to("chat.postEphemeral") == []  # acked before the answer
    await slack.posted("chat.postEphemeral")


async def test_bot_messages_are_ignored(slack):
    base = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0NJONES",
        "text": "hi",
        "ts": "1.2",
    }
    await slack.event({**base, "bot_id": "B0OTHER", "user": "U0OTHERBOT"})
    await slack.event({**base, "subtype": "bot_message", "bot_id": "B0X"})
    await slack.event({**base, "user": "U0HMSBOT"})  # ourselves
    await slack.event({**base, "subtype": "message_changed", "user": U})
    await slack.settle()
    assert slack.assistant.turns == []
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_channel_messages_without_mention_are_ignored(slack):
    await slack.event(
        {
            "type": "message",
            "channel_type": "channel",
            "channel": "C0WARD4B",
            "user": U,
            "text": "lunch?",
            "ts": "1.3",
        }
    )
    await slack.settle()
    assert slack.assistant.turns == []


async def test_retried_event_does_not_reach_assistant_twice(slack):
    slack.assistant.delay = 0.3
    await slack.dm(U, "book the 10:00 slot", event_id="EvRETRY1")
    retry = await slack.dm(
        U,
        "book the 10:00 slot",
        event_id="EvRETRY1",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retry.status_code == 200
    await slack.posted()
    await asyncio.sleep(0.5)
    assert len(slack.assistant.turns) == 1
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_distinct_events_are_both_answered(slack):
    await slack.dm(U, "one", event_id="EvA")
    await slack.dm(U, "two", event_id="EvB")
    await slack.posted(pred=lambda p: p["text"] == "echo: two")
    await slack.posted(pred=lambda p: p["text"] == "echo: one")
    assert len(slack.assistant.turns) == 2


async def test_assistant_failure_answers_politely(slack):
    def boom(text):
        raise RuntimeError("rasa down")

    slack.assistant.script = boom
    await slack.dm(U, "free beds")
    posted = await slack.posted()
    assert "not available" in posted["text"]


async def test_command_replayed_inside_the_signature_window_runs_once(slack):
    body = slack.command_body(U, "cancel appointment 42")
    first = await slack.post(body, "application/x-www-form-urlencoded")
    await slack.posted("chat.postEphemeral")
    replay = await slack.post(body, "application/x-www-form-urlencoded")  # same signed body
    await slack.settle()
    assert (first.status_code, replay.status_code) == (200, 200)
    assert [t["text"] for t in slack.assistant.turns] == ["cancel appointment 42"]
