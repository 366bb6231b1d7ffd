"""Closing, freeing or cleaning an OCCUPIED bed asks first; a free bed changes at once."""

from __future__ import annotations

import pytest

from actions.beds import ActionUpdateBedStatus
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def status(services, label: str) -> str:
    return next(b.status for b in services.hms.beds if b.label == label)


def change(text: str, bed: str, code: str = "closed", entities: list[dict] | None = None):
    slots = {"ward": "4B", "bed": bed, "bed_status": code}
    return tracker("k.osei", intent="update_bed_status", text=text, slots=slots, entities=entities)


def slot(events: list[dict], name: str):
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def reply(asked_events: list[dict], intent: str, text: str):
    slots = {
        "ward": "4B",
        "bed": "1",
        "bed_status": "closed",
        "pending": slot(asked_events, "pending"),
        "confirmed": slot(asked_events, "confirmed"),
    }
    return tracker("k.osei", intent=intent, text=text, slots=slots)


@pytest.mark.parametrize("code", ["closed", "free", "needs cleaning"])
async def test_bedconfirm_occupied_bed_is_asked_before_it_changes(services, code):
    messages, events = await run(ActionUpdateBedStatus(), change(f"4B bed 1 {code}", "1", code))
    [message] = messages
    assert message["custom"]["kind"] == "update_bed_status_confirm"
    assert message["text"].startswith("4B Bed 1 is occupied - ") and "anyway?" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    assert status(services, "4B Bed 1") == "O"  # nothing written yet
    assert slot(events, "pending") == "update_bed_status:confirm"


async def test_bedconfirm_yes_changes_the_occupied_bed(services):
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    messages, events = await run(ActionUpdateBedStatus(), reply(asked, "affirm", "yes"))
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_success"]
    assert status(services, "4B Bed 1") == "C"
    undo = slot(events, "last_task")["undo"]
    assert (undo["status"], undo["now"]) == ("O", "C")


async def test_bedconfirm_no_keeps_the_bed(services):
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    messages, _ = await run(ActionUpdateBedStatus(), reply(asked, "deny", "no"))
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_kept"]
    assert "stays occupied" in messages[0]["text"]
    assert status(services, "4B Bed 1") == "O"


async def test_bedconfirm_bed_changed_meanwhile_is_not_written(services):
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    services.hms.beds[0] = services.hms.beds[0].__class__(
        **{**services.hms.beds[0].__dict__, "status": "U"}
    )
    messages, _ = await run(ActionUpdateBedStatus(), reply(asked, "affirm", "yes"))
    assert messages[0]["custom"]["kind"] == "update_bed_status_unchanged"
    assert status(services, "4B Bed 1") == "U"


async def test_bedconfirm_free_bed_changes_at_once(services):
    messages, _ = await run(ActionUpdateBedStatus(), change("close 4B bed 2", "2"))
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_success"]
    assert status(services, "4B Bed 2") == "C"


async def test_bedconfirm_several_beds_change_the_free_and_ask_about_the_occupied(services):
    text = "close 4B bed 1 and 4B bed 2"
    entities = [
        {"entity": "ward", "value": "4B", "start": 6, "end": 8},
        {"entity": "bed", "value": "1", "start": 13, "end": 14},
        {"entity": "ward", "value": "4B", "start": 19, "end": 21},
        {"entity": "bed", "value": "2", "start": 26, "end": 27},
    ]
    messages, asked = await run(ActionUpdateBedStatus(), change(text, "2", entities=entities))
    kinds = [m["custom"]["kind"] for m in messages]
    assert kinds == ["update_bed_status_success", "update_bed_status_confirm"]
    assert status(services, "4B Bed 2") == "C" and status(services, "4B Bed 1") == "O"
    await run(ActionUpdateBedStatus(), reply(asked, "affirm", "yes please"))
    assert status(services, "4B Bed 1") == "C"


@pytest.mark.parametrize("clause, asked", [([1, 2], False), ([2, 2], True)])
async def test_bedconfirm_a_clause_with_others_after_it_changes_at_once_and_says_so(
    services, clause, asked
):
    # "close bed 1 and then get maintenance for it": asked now, the question would be
    # buried under the help request's; the last clause may ask
    trk = change("close 4B bed 1", "1")
    trk.latest_message["metadata"]["clause"] = clause
    messages, _ = await run(ActionUpdateBedStatus(), trk)
    [message] = messages
    if asked:
        assert message["custom"]["kind"] == "update_bed_status_confirm"
        assert status(services, "4B Bed 1") == "O"
    else:
        assert message["custom"]["kind"] == "update_bed_status_success"
        assert "was occupied" in message["text"] and "'undo'" in message["text"]
        assert status(services, "4B Bed 1") == "C"


async def test_bedconfirm_another_bed_instead_of_an_answer_keeps_this_one_and_changes_that(
    services,
):
    # "block bed 2" to "4B Bed 1 is occupied - close it anyway?" was taken as a no and
    # bed 2 was never changed (found trying the demo as a bed manager)
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    entities = [{"entity": "bed", "value": "2"}]
    answer = reply(asked, "update_bed_status", "block bed 2")
    answer.latest_message["entities"] = entities
    messages, events = await run(ActionUpdateBedStatus(), answer)
    assert [m["custom"]["kind"] for m in messages] == [
        "update_bed_status_kept",
        "update_bed_status_success",
    ]
    assert "4B Bed 1 stays occupied" in messages[0]["text"]
    assert "4B Bed 2" in messages[1]["text"]
    assert status(services, "4B Bed 1") == "O" and status(services, "4B Bed 2") == "C"
    assert slot(events, "pending") is None


async def test_bedconfirm_the_same_bed_named_again_is_still_the_answer(services):
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    messages, _ = await run(
        ActionUpdateBedStatus(), reply(asked, "update_bed_status", "close bed 1 please")
    )
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_kept"]
    assert status(services, "4B Bed 1") == "O"


@pytest.mark.parametrize("text", ["undo that", "ok wait", "don't", "hold on"])
async def test_bedconfirm_a_yes_taken_back_keeps_the_bed(services, text):
    # NLU read "undo that" as a yes to "ICU Bed 2 is occupied - close it anyway?" and the
    # patient's bed was closed (found trying the demo as a bed manager)
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    messages, _ = await run(ActionUpdateBedStatus(), reply(asked, "affirm", text))
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_kept"]
    assert status(services, "4B Bed 1") == "O"


async def test_bedconfirm_the_yes_button_still_changes_the_bed(services):
    _, asked = await run(ActionUpdateBedStatus(), change("close 4B bed 1", "1"))
    messages, _ = await run(ActionUpdateBedStatus(), reply(asked, "affirm", "/affirm"))
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_success"]
    assert status(services, "4B Bed 1") == "C"
