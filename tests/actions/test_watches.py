"""Bed-watch actions through the guarded path: set a watch, list, cancel; denial; audit."""

from __future__ import annotations

from typing import Any

import pytest

from actions.services import set_services
from actions.watches import (
    ActionCancelBedWatch,
    ActionListBedWatches,
    ActionWatchBedAvailability,
)
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services() -> Any:
    svc = make_services()
    set_services(svc)
    return svc


async def test_watch_set_on_a_ward_for_a_bed_type(services, watches):
    trk = tracker(
        "n.jones",
        intent="watch_bed_availability",
        slots={"ward": "four b", "bed_type": "side room"},
    )
    messages, events = await run(ActionWatchBedAvailability(), trk)
    (reply,) = messages
    assert reply["custom"]["kind"] == "watch_bed_availability_success"
    assert (
        reply["custom"]["data"]["ward"] == "4B"
        and reply["custom"]["data"]["feature"] == "side-room"
    )
    assert "side room bed on 4B" in reply["text"] and "Slack DM" in reply["text"]
    (watch,) = watches.active("n.jones")
    assert watch.baseline == frozenset(reply["custom"]["data"]["free_now"])  # already free
    assert {"event": "slot", "name": "ward", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]  # the task's slots are cleared when it ends
    (event,) = services.audit.events
    assert (event.intent, event.outcome, event.permission) == (
        "watch_bed_availability",
        "success",
        "beds:read",
    )


@pytest.mark.parametrize(
    ("text", "ward", "feature"),
    [
        ("tell me when one frees up", "7C", "side-room"),  # both from the question
        ("tell me when one frees up on 4B", "4B", "side-room"),  # the ward said wins
        ("tell me when a bed frees up", None, None),  # any bed: nothing carried
    ],
)
async def test_watch_for_one_is_for_the_kind_of_bed_just_asked_about(
    services, watches, text, ward, feature
):
    # "any side rooms free on 7C?" / "tell me when one frees up on 4B" set a watch for
    # any bed on 4B (found trying the demo as a bed manager)
    last = {"intent": "check_bed_availability", "slots": {"ward": "7C", "bed_type": "side room"}}
    slots: dict[str, Any] = {"last_task": last}
    if "4B" in text:
        slots["ward"] = "4B"
    trk = tracker("b.okoro", intent="watch_bed_availability", text=text, slots=slots)
    messages, _ = await run(ActionWatchBedAvailability(), trk)
    data = messages[0]["custom"]["data"]
    assert (data["ward"], data["feature"]) == (ward, feature)


async def test_watch_unknown_bed_type_is_refused(services, watches):
    trk = tracker("n.jones", intent="watch_bed_availability", slots={"bed_type": "waterbed"})
    messages, _ = await run(ActionWatchBedAvailability(), trk)
    assert messages[0]["custom"]["kind"] == "unknown_bed_type"
    assert watches.active("n.jones") == []


async def test_watch_needs_beds_read(services, watches):
    trk = tracker("h.lee", intent="watch_bed_availability", slots={"ward": "4B"})
    messages, _ = await run(ActionWatchBedAvailability(), trk)
    assert "needs the " in messages[0]["text"] and "helpdesk" in messages[0]["text"]
    assert watches.active("h.lee") == []
    assert services.audit.events[-1].outcome == "denied"


async def test_watch_list_and_cancel(services, watches):
    for ward in ("4B", "7C"):
        await run(
            ActionWatchBedAvailability(),
            tracker("n.jones", intent="watch_bed_availability", slots={"ward": ward}),
        )
    listed, _ = await run(ActionListBedWatches(), tracker("n.jones", intent="list_bed_watches"))
    assert listed[0]["custom"]["kind"] == "list_bed_watches_success"
    assert [w["ward"] for w in listed[0]["custom"]["data"]["watches"]] == ["4B", "7C"]
    one, _ = await run(
        ActionCancelBedWatch(), tracker("n.jones", intent="cancel_bed_watch", slots={"ward": "7C"})
    )
    assert (
        one[0]["custom"]["kind"] == "cancel_bed_watch_success" and "1 bed watch" in one[0]["text"]
    )
    assert [w.ward_code for w in watches.active("n.jones")] == ["4B"]
    rest, _ = await run(ActionCancelBedWatch(), tracker("n.jones", intent="cancel_bed_watch"))
    assert rest[0]["custom"]["kind"] == "cancel_bed_watch_success"
    none, _ = await run(ActionListBedWatches(), tracker("n.jones", intent="list_bed_watches"))
    assert none[0]["custom"]["kind"] == "list_bed_watches_none"
    again, _ = await run(ActionCancelBedWatch(), tracker("n.jones", intent="cancel_bed_watch"))
    assert again[0]["custom"]["kind"] == "cancel_bed_watch_none"


async def test_watch_unknown_ward_answers_unknown_ward_and_sets_nothing(services, watches):
    trk = tracker("n.jones", intent="watch_bed_availability", slots={"ward": "5Z"})
    messages, events = await run(ActionWatchBedAvailability(), trk)
    (reply,) = messages
    assert reply["custom"]["kind"] == "unknown_ward"
    assert reply["custom"]["data"]["value"] == "5Z" and reply["custom"]["data"]["suggestions"]
    assert all('/watch_bed_availability{"ward":' in b["payload"] for b in reply["buttons"])
    assert watches.active("n.jones") == []
    assert services.audit.events[-1].outcome == "not_found"


async def test_watch_reads_an_untagged_ward_from_the_text(services, watches):
    trk = tracker(
        "n.jones", intent="watch_bed_availability", text="tell me when a bed frees on ward 9"
    )
    messages, _ = await run(ActionWatchBedAvailability(), trk)
    assert messages[0]["custom"]["kind"] == "unknown_ward"  # not a hospital-wide watch
    assert watches.active("n.jones") == []


async def test_watch_anywhere_when_no_ward_is_named(services, watches):
    trk = tracker("n.jones", intent="watch_bed_availability", text="tell me when a bed frees")
    messages, _ = await run(ActionWatchBedAvailability(), trk)
    assert messages[0]["custom"]["kind"] == "watch_bed_availability_success"
    assert messages[0]["custom"]["data"]["ward"] is None
    (watch,) = watches.active("n.jones")
    assert watch.ward_code is None and watch.feature is None


async def test_cancel_bed_watch_unknown_ward_cancels_nothing(services, watches):
    await run(
        ActionWatchBedAvailability(),
        tracker("n.jones", intent="watch_bed_availability", slots={"ward": "4B"}),
    )
    messages, _ = await run(
        ActionCancelBedWatch(), tracker("n.jones", intent="cancel_bed_watch", slots={"ward": "5Z"})
    )
    assert messages[0]["custom"]["kind"] == "unknown_ward"
    assert [w.ward_code for w in watches.active("n.jones")] == ["4B"]


async def test_list_bed_watches_of_one_ward(services, watches):
    for ward in ("4B", "7C"):
        await run(
            ActionWatchBedAvailability(),
            tracker("n.jones", intent="watch_bed_availability", slots={"ward": ward}),
        )
    listed, _ = await run(
        ActionListBedWatches(), tracker("n.jones", intent="list_bed_watches", slots={"ward": "7C"})
    )
    assert [w["ward"] for w in listed[0]["custom"]["data"]["watches"]] == ["7C"]


async def test_bed_watches_are_each_users_own(services, watches):
    await run(
        ActionWatchBedAvailability(),
        tracker("n.jones", intent="watch_bed_availability", slots={"ward": "4B"}),
    )
    cancelled, _ = await run(ActionCancelBedWatch(), tracker("p.kim", intent="cancel_bed_watch"))
    assert cancelled[0]["custom"]["kind"] == "cancel_bed_watch_none"
    assert [w.ward_code for w in watches.active("n.jones")] == ["4B"]


@pytest.mark.parametrize(
    "said",
    ["cancel that alert", "stop that alert", "cancel it", "actually never mind, dont need it"],
)
async def test_watch_just_set_is_cancelled_by_cancel_that(services, watches, said):
    # "cancel that alert" right after setting a watch answered "OK." and left it running
    from actions.flow import ActionStop

    trk = tracker(
        "n.jones", intent="watch_bed_availability", slots={"ward": "4B", "bed_type": "side room"}
    )
    _, events = await run(ActionWatchBedAvailability(), trk)
    last = [e["value"] for e in events if e.get("name") == "last_task"][-1]
    other = tracker("n.jones", intent="watch_bed_availability", slots={"ward": "7C"})
    await run(ActionWatchBedAvailability(), other)
    assert len(watches.active("n.jones")) == 2
    messages, _ = await run(
        ActionStop(), tracker("n.jones", intent="stop", text=said, slots={"last_task": last})
    )
    assert [m["custom"]["kind"] for m in messages] == ["cancel_bed_watch_success"]
    (kept,) = watches.active("n.jones")
    assert kept.ward_code == "7C"  # only the watch just set


async def test_watch_list_cancel_button_typed_as_words_cancels_them(services, watches):
    # "Cancel them" typed under the list of watches (NLU: stop) answered "OK." and left
    # them running
    from actions.flow import ActionStop

    await run(
        ActionWatchBedAvailability(),
        tracker("n.jones", intent="watch_bed_availability", slots={"ward": "4B"}),
    )
    listed = {"buttons": [{"title": "Cancel them", "payload": "/cancel_bed_watch"}]}
    events: list[dict] = [
        {"event": "bot", "text": "You're watching for: a bed on 4B.", "data": listed},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "Cancel them", "parse_data": {}},
    ]
    trk = tracker("n.jones", intent="stop", text="Cancel them", events=events)
    messages, _ = await run(ActionStop(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["cancel_bed_watch_success"]
    assert watches.active("n.jones") == []


def test_watch_a_yes_no_button_typed_is_no_task():
    from actions.state import typed_button

    events: list[dict] = [
        {
            "event": "bot",
            "text": "Shall we?",
            "data": {"buttons": [{"title": "Yes", "payload": "/affirm"}]},
        },
        {"event": "user", "text": "yes", "parse_data": {}},
    ]
    assert typed_button(tracker("n.jones", intent="affirm", text="yes", events=events)) is None


async def test_watch_words_read_as_a_cancel_set_the_watch(services, watches):
    # "watch for a bed in HDU" (NLU: cancel_bed_watch, 0.42) answered "You have no matching
    # bed watches running" and set nothing
    trk = tracker(
        "n.jones", intent="cancel_bed_watch", text="watch for a bed in 4B", slots={"ward": "4B"}
    )
    messages, _ = await run(ActionCancelBedWatch(), trk)
    assert messages[0]["custom"]["kind"] == "watch_bed_availability_success"
    assert [w.ward_code for w in watches.active("n.jones")] == ["4B"]
    trk = tracker(
        "n.jones", intent="cancel_bed_watch", text="cancel my bed watch on 4B", slots={"ward": "4B"}
    )
    messages, _ = await run(ActionCancelBedWatch(), trk)
    assert messages[0]["custom"]["kind"] == "cancel_bed_watch_success"


@pytest.mark.parametrize(
    ("said", "set_on", "kind", "left"),
    [
        ("cancel that one", ["4B"], "cancel_bed_watch_success", []),
        ("cancel it", ["4B"], "cancel_bed_watch_success", []),
        ("stop them all", ["4B", "7C"], "cancel_bed_watch_success", []),
        ("cancel that one", ["4B", "7C"], "cancel_bed_watch_which", ["4B", "7C"]),
    ],
)
async def test_watch_listed_then_cancel_that_one_cancels_it(
    services, watches, said, set_on, kind, left
):
    # "list my bed watches" / "cancel that one" answered "OK." and cancelled nothing
    # (found trying the demo as a nurse); under several watches it asks which
    from actions.flow import ActionStop

    for ward in set_on:
        trk = tracker("b.okoro", intent="watch_bed_availability", slots={"ward": ward})
        await run(ActionWatchBedAvailability(), trk)
    _, events = await run(ActionListBedWatches(), tracker("b.okoro", intent="list_bed_watches"))
    last = [e["value"] for e in events if e.get("name") == "last_task" and e.get("value")][-1]
    messages, _ = await run(
        ActionStop(), tracker("b.okoro", intent="stop", text=said, slots={"last_task": last})
    )
    assert [m["custom"]["kind"] for m in messages] == [kind]
    assert sorted(w.ward_code for w in watches.active("b.okoro")) == left


async def test_watch_list_of_one_ward_cancel_button_cancels_only_that_ward(services, watches):
    for ward in ("4B", "7C"):
        trk = tracker("b.okoro", intent="watch_bed_availability", slots={"ward": ward})
        await run(ActionWatchBedAvailability(), trk)
    trk = tracker("b.okoro", intent="list_bed_watches", slots={"ward": "4B"})
    messages, _ = await run(ActionListBedWatches(), trk)
    assert messages[0]["buttons"][0]["payload"] == '/cancel_bed_watch{"ward": "4B"}'


@pytest.mark.parametrize(
    ("said", "nothing"), [("cancel that one", True), ("cancel it", True), ("never mind", False)]
)
async def test_watch_cancel_with_nothing_in_hand_says_nothing_was_cancelled(
    services, said, nothing
):
    # a bare "OK." to "cancel that one" with nothing listed or set read as done
    from actions.flow import NOTHING_TO_CANCEL, ActionStop

    messages, _ = await run(ActionStop(), tracker("b.okoro", intent="stop", text=said))
    assert (messages[0]["text"] == NOTHING_TO_CANCEL) is nothing
    assert messages[0]["custom"]["kind"] == "stop_ok"
