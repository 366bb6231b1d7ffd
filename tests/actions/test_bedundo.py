"""Right after a bed change: "undo" puts it back; "never mind" says it stands and how to undo."""

from __future__ import annotations

import pytest

from actions.bedundo import undoes_bed_change
from actions.fallback import ActionFallback
from actions.flow import ActionStop
from actions.formats import spoken_beds, ward_said
from actions.services import set_services
from actions.state import Turn
from tests.actions.fakes import make_services, run, tracker

# 4B Bed 2 was waiting for cleaning and was just marked free
CHANGED = {
    "intent": "update_bed_status",
    "undo": {
        "bed_id": "bed-4b-02",
        "label": "4B Bed 2",
        "ward": "4B",
        "bed": "2",
        "status": "H",
        "now": "U",
    },
}


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


def after_change(text: str, intent: str = "nlu_fallback", last=CHANGED):
    return tracker("k.osei", intent=intent, text=text, slots={"last_task": last})


@pytest.mark.parametrize(
    "text", ["undo", "undo that", "put it back", "sorry, change it back please", "revert it"]
)
def test_bedundo_undo_words_right_after_a_bed_change(text):
    assert undoes_bed_change(after_change(text), Turn.of(after_change(text)))


@pytest.mark.parametrize("text", ["undo", "put it back"])
def test_bedundo_nothing_to_undo_without_a_bed_change(text):
    trk = after_change(text, last={"intent": "request_help", "ticket": "HR-000001"})
    assert not undoes_bed_change(trk, Turn.of(trk))


@pytest.mark.parametrize("intent", ["nlu_fallback", "stop"])
async def test_bedundo_undo_puts_the_bed_back_whatever_nlu_read(services, intent):
    action = ActionFallback() if intent == "nlu_fallback" else ActionStop()
    messages, events = await run(action, after_change("undo that", intent))
    assert [m["custom"]["kind"] for m in messages] == ["update_bed_status_success"]
    assert services.hms.beds[1].status == "H"
    [event] = services.audit.events
    assert (event.action, event.outcome) == ("action_undo_bed_change", "success")
    last = next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == "last_task")
    assert last["undo"]["status"] == "U"  # "undo" again would redo it


async def test_bedundo_bed_changed_since_is_not_put_back(services):
    services.hms.beds[1] = services.hms.beds[1].__class__(
        **{**services.hms.beds[1].__dict__, "status": "C"}
    )
    messages, _ = await run(ActionFallback(), after_change("undo"))
    assert messages[0]["custom"]["kind"] == "update_bed_status_unchanged"
    assert services.hms.beds[1].status == "C"


@pytest.mark.parametrize("text", ["never mind", "forget it"])
async def test_bedundo_never_mind_after_a_change_says_it_stands_and_how_to_undo(services, text):
    messages, events = await run(ActionStop(), after_change(text, "stop"))
    [message] = messages
    assert message["custom"]["kind"] == "stop_ok"
    assert "4B Bed 2 stays free" in message["text"] and "'undo'" in message["text"]
    assert services.hms.beds[1].status == "U"  # nothing undone unasked
    kept = [e for e in events if e.get("event") == "slot" and e["name"] == "last_task"]
    assert kept[-1]["value"] == CHANGED  # "undo" still works after it


def test_formats_bed_of_a_numbered_ward_is_said_with_the_ward():
    assert spoken_beds("Done: 7 Bed 3 is now closed.") == "Done: Ward 7 Bed 3 is now closed."
    assert spoken_beds("Ward 7 Bed 3; 4B Bed 2; ICU Bed 6") == "Ward 7 Bed 3; 4B Bed 2; ICU Bed 6"
    assert ward_said("7", "Ward 7") == "Ward 7" and ward_said("4B", "Ward 4B") == "4B"
