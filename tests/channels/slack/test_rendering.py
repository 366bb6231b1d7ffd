"""Block Kit rendering, PHI routing and button clicks that continue the conversation."""

from __future__ import annotations

from assistant.conversation import Button, Reply
from assistant.conversation.kinds import BedFact
from tests.channels.slack.slack_kit import buttons_of

U = "U0NJONES"


def _slots():
    return [
        Reply(
            "Which slot?",
            (
                Button("Mon 10:00", '/choose{"slot":"s1"}'),
                Button("Mon 11:00", '/choose{"slot":"s2"}'),
            ),
        )
    ]


async def test_render_buttons_carry_conversation_and_payload(slack):
    slack.assistant.script = lambda text: _slots()
    await slack.dm(U, "book cardiology")
    posted = await slack.posted()
    buttons = buttons_of(posted)
    assert [b["text"]["text"] for b in buttons] == ["Mon 10:00", "Mon 11:00"]
    assert len({b["action_id"] for b in buttons}) == 2
    assert posted["text"] == "Which slot?"


async def test_click_sends_payload_to_same_conversation_and_marks_choice(slack):
    slack.assistant.script = lambda text: _slots()
    await slack.mention(U, "book cardiology", ts="1700000000.000100")
    posted = await slack.posted()
    button = buttons_of(posted)[1]
    slack.assistant.script = lambda text: [Reply("Booked. Ticket HR-000123")]
    start = len(slack.fake.calls)
    response = await slack.click(
        U,
        button,
        channel="C0WARD4B",
        message={"ts": "1700000001.000200", "text": posted["text"], "blocks": posted["blocks"]},
    )
    assert response.status_code == 200
    done = await slack.posted(start=start)
    assert slack.assistant.turns[-1] == {
        "staff": "n.jones",
        "channel": "slack",
        "conversation": "C0WARD4B-1700000000.000100",
        "text": '/choose{"slot":"s2"}',
    }
    assert done["thread_ts"] == "1700000000.000100"
    updated = await slack.posted("chat.update", start=start)
    assert not buttons_of(updated)
    assert "Mon 11:00" in str(updated["blocks"])


async def test_double_click_on_one_message_sends_one_choice(slack):
    slack.assistant.script = lambda text: _slots()
    await slack.dm(U, "book")
    posted = await slack.posted()
    first, second = buttons_of(posted)
    await slack.click(U, first, channel="D0NJONES")
    await slack.click(U, second, channel="D0NJONES")
    await slack.settle()
    assert [t["text"] for t in slack.assistant.turns].count('/choose{"slot":"s1"}') == 1
    assert len(slack.assistant.turns) == 2  # the request and one choice


async def test_click_from_other_channel_is_ignored(slack):
    slack.assistant.script = lambda text: _slots()
    await slack.dm(U, "book")
    button = buttons_of(await slack.posted())[0]
    await slack.click(U, button, channel="C0ELSEWHERE")
    await slack.settle()
    assert len(slack.assistant.turns) == 1


async def test_phi_answer_in_channel_goes_ephemeral(slack):
    slack.assistant.script = lambda text: [
        Reply(
            "J.S. (MRN ...4821) is in 4B Bed 6", custom={"phi": True, "kind": "find_patient_found"}
        )
    ]
    await slack.mention(U, "where is patient 10004821")
    posted = await slack.posted("chat.postEphemeral")
    assert posted["user"] == U and posted["thread_ts"] == "1700000000.000100"
    await slack.settle()
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_phi_in_any_reply_keeps_whole_turn_private(slack):
    slack.assistant.script = lambda text: [
        Reply("Found them."),
        Reply("4B Bed 6", custom={"phi": True}),
    ]
    await slack.mention(U, "where is patient 10004821")
    await slack.posted("chat.postEphemeral")
    await slack.settle()
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_buttons_in_private_answer_stay_private_after_click(slack):
    slack.assistant.script = lambda text: [
        Reply("Which patient?", (Button("J.S. ...4821", "/pick"),), custom={"phi": True})
    ]
    await slack.mention(U, "find smith")
    button = buttons_of(await slack.posted("chat.postEphemeral"))[0]
    slack.assistant.script = lambda text: [Reply("Ward 4B")]  # not marked PHI itself
    start = len(slack.fake.calls)
    await slack.click(U, button, channel="C0WARD4B", ephemeral=True)
    await slack.posted("chat.postEphemeral", start=start)
    await slack.settle()
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_phi_answer_in_dm_is_a_normal_post(slack):
    slack.assistant.script = lambda text: [Reply("4B Bed 6", custom={"phi": True})]
    await slack.dm(U, "where is patient 10004821")
    posted = await slack.posted()
    assert posted["channel"] == "D0NJONES"
    assert slack.fake.calls_to("chat.postEphemeral") == []


async def test_non_phi_answer_in_channel_is_a_thread_post(slack):
    slack.assistant.script = lambda text: [Reply("Ticket HR-000123 raised.")]
    await slack.mention(U, "I need a porter")
    posted = await slack.posted()
    assert posted["thread_ts"] == "1700000000.000100"
    assert "HR-000123" in posted["blocks"][0]["text"]["text"]
    assert "`HR-000123`" not in posted["blocks"][0]["text"]["text"]


async def test_bed_availability_renders_table_per_ward(slack):
    data = {
        "wards": [
            {"ward": "4B", "name": "Ward 4B", "free": 2, "total": 20},
            {"ward": "5A", "name": "Ward 5A", "free": 0, "total": 12},
        ],
        "beds": [
            {"label": "4B-06", "ward": "4B", "room": "Bay 1", "features": ["side-room"]},
            {"label": "4B-07", "ward": "4B", "room": "Bay 1"},
        ],
    }
    slack.assistant.script = lambda text: [
        Reply(
            "Free beds:",
            custom={"phi": False, "kind": "check_bed_availability_found", "data": data},
        )
    ]
    await slack.dm(U, "free beds")
    posted = await slack.posted()
    texts = [b["text"]["text"] for b in posted["blocks"] if b["type"] == "section"]
    assert texts[0] == "Free beds:"
    assert texts[1].startswith("*Ward 4B*  2 free / 20")
    assert "4B-06  Bay 1, side-room" in texts[1] and "4B-07  Bay 1" in texts[1]
    assert texts[2] == "*Ward 5A*  0 free / 12"


def test_render_bed_table_accepts_action_shapes():
    from assistant.channels.slack.render import bed_table

    bed: BedFact = {
        "id": "bed-4b-06",
        "label": "4B Bed 6",
        "ward": "4B",
        "room": "Bay 1",
        "status": "U",
        "features": ["isolation"],
    }
    one_ward = bed_table({"ward": "4B", "beds": [bed]})
    assert one_ward[0]["text"]["text"].startswith("*Ward 4B*  1 free")
    assert "4B Bed 6  Bay 1, isolation" in one_ward[0]["text"]["text"]
    counts = bed_table({"feature": "isolation", "wards": {"4B": 2, "5A": 1}})
    assert [b["text"]["text"] for b in counts] == ["*Ward 4B*  2 free", "*Ward 5A*  1 free"]
    summary = bed_table({"wards": [{"ward": "4B", "name": "Medical 4B", "free": 3, "total": 20}]})
    assert summary[0]["text"]["text"] == "*Medical 4B*  3 free / 20"


def test_render_bed_table_shortens_long_lists():
    from assistant.channels.slack.render import MAX_BEDS_SHOWN, bed_table

    beds: list[BedFact] = [
        {"id": f"bed-{i}", "label": f"4B-{i:02d}", "ward": "4B", "room": None, "status": "U",
         "features": []}
        for i in range(MAX_BEDS_SHOWN + 3)
    ]  # fmt: skip
    [block] = bed_table({"ward": "4B", "beds": beds})
    assert "+3 more" in block["text"]["text"]
