"""A question about a bed read as a change ("is 4B bed 12 clean?") answers, never writes."""

from __future__ import annotations

import pytest

from actions.beds import ActionUpdateBedStatus
from actions.reading import asks_how_things_are
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def change(text: str, status: str = "free"):
    return tracker(
        "n.jones",
        intent="update_bed_status",
        text=text,
        slots={"ward": "4B", "bed": "2", "bed_status": status},
    )


@pytest.mark.parametrize(
    "text",
    [
        "is 4B bed 2 clean?",
        "is bed 2 on 4B free",
        "has bed 2 on 4B been cleaned?",
        "so is bed 2 clean now",
        "bed 2 on 4B clean?",
        "are beds 2 and 3 free?",
    ],
)
def test_bed_question_is_a_question(text):
    assert asks_how_things_are(text)


@pytest.mark.parametrize(
    "text",
    [
        "mark bed 2 on 4B clean",
        "bed 2 on 4B is clean now",
        "can you mark bed 2 on 4B as free?",
        "could you set bed 2 to closed?",
        "and bed 8?",
        "what about bed 8?",
        "please make bed 2 free",
        "is it ok to mark bed 2 clean?",
        '/update_bed_status{"bed":"2"}',
    ],
)
def test_bed_order_or_follow_up_is_not_a_question(text):
    assert not asks_how_things_are(text)


async def test_bed_question_read_as_a_change_answers_the_status_and_writes_nothing(services):
    before = services.hms.beds[1].status
    assert before != "H"
    question = change("does bed 2 on 4B need cleaning?", "needs cleaning")
    messages, _ = await run(ActionUpdateBedStatus(), question)
    [message] = messages
    assert message["custom"]["kind"] == "update_bed_status_asked"
    assert message["custom"]["data"]["changed"] is False
    assert "haven't changed" in message["text"]
    assert services.hms.beds[1].status == before  # nothing written
    [button] = message["buttons"]
    assert (
        button["payload"].startswith("/update_bed_status")
        and '"bed_status":"H"' in (button["payload"])
    )
    [event] = services.audit.events
    assert (event.outcome, event.detail) == ("success", "asked")


async def test_bed_statement_read_as_a_change_still_changes_the_bed(services):
    statement = change("bed 2 on 4B needs cleaning", "needs cleaning")
    messages, _ = await run(ActionUpdateBedStatus(), statement)
    assert messages[0]["custom"]["kind"] == "update_bed_status_success"
    assert services.hms.beds[1].status == "H"


@pytest.mark.parametrize(
    "text", ["beds to clean on 7C?", "any beds I can clean on 7C", "what's left to clean on 7C"]
)
async def test_bed_question_beds_to_clean_lists_the_beds_waiting_for_cleaning(services, text):
    # "beds to clean on maternity?" from housekeeping listed the FREE beds ("clean" read as
    # the status asked)
    from actions.beds import ActionCheckBedAvailability

    trk = tracker("c.sam", intent="check_bed_availability", text=text, slots={"ward": "7C"})
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    [reply] = messages
    assert reply["custom"]["kind"] == "check_bed_availability_success"
    assert [b["label"] for b in reply["custom"]["data"]["beds"]] == ["7C Bed 2"]


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("any isolaton beds free", "isolation"),
        ("side rom on 4B?", None),  # two words: not guessed
        ("free beds on paediatics", None),  # a ward's name, never the cot
        ("any telemtry beds on 4B", "monitored"),
    ],
)
async def test_bed_question_a_bed_type_with_a_slip_is_that_type(services, text, feature):
    # "any isolaton beds free" listed every free bed in the hospital (found trying the demo
    # as a bed manager)
    from actions.beds import ActionCheckBedAvailability

    slots = {"ward": "4B"} if "4B" in text else {}
    trk = tracker("b.okoro", intent="check_bed_availability", text=text, slots=slots)
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["custom"]["data"].get("feature") == feature


async def test_bed_question_a_bed_type_read_from_a_slip_is_kept_for_the_follow_up(services):
    # "any isolaton beds free" / "what about HDU": HDU's free beds of any type were listed
    from actions.beds import ActionCheckBedAvailability

    trk = tracker("b.okoro", intent="check_bed_availability", text="any isolaton beds free")
    _, events = await run(ActionCheckBedAvailability(), trk)
    last = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    assert last["slots"].get("bed_type") == "isolation"


@pytest.mark.parametrize(
    ("text", "ward"), [("any free beds on four b", "4B"), ("any free beds", None)]
)
async def test_bed_question_a_ward_said_in_words_nlu_did_not_tag_is_that_ward(services, text, ward):
    # "any free beds on paediatric" answered for the whole hospital (found trying the demo)
    from actions.beds import ActionCheckBedAvailability

    trk = tracker("b.okoro", intent="check_bed_availability", text=text)
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert messages[0]["custom"]["data"].get("ward") == ward


def test_bed_question_a_ward_name_without_the_word_ward_is_that_ward():
    from assistant.hms.models import Ward

    paed = Ward("ward-paed", "PAED", "Paediatric Ward", ("Paediatrics",))
    assert paed.matches("paediatric") and paed.matches("Paediatric Ward")
    assert not paed.matches("ward") and not Ward("w-7", "7", "Ward 7").matches("ward")
    assert Ward("w-ccu", "CCU", "Coronary Care Unit").matches("coronary care")
