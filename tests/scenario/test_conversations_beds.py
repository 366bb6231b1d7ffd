"""Whole conversations about beds through the REST channel, checked against the HMS."""

from __future__ import annotations

import re

import pytest

from tests.scenario.scenario_kit import Chat, Hms, denial_of

pytestmark = pytest.mark.stack


def test_beds_free_count_on_4b_matches_hms(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    expected = hms.free_beds("4B")
    turn = chat.say("any free beds on 4B?")
    assert re.search(rf"Ward 4B has {expected} free beds?\b", turn.text), chat.transcript()
    # each free bed the HMS lists is named in the answer (at most 6 listed)
    labels = [b["name"] for b in hms.beds("4B", "U")]
    assert sum(label in turn.text for label in labels) == min(6, len(labels)), chat.transcript()


def test_beds_free_count_on_4b_typed_lowercase(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    expected = hms.free_beds("4B")
    turn = chat.say("any free beds on 4b?")
    assert f"Ward 4B has {expected} free bed" in turn.text, chat.transcript()


def test_beds_free_by_bed_type_hospital_wide_matches_hms(stack):
    hms, chat = Hms(stack), Chat(stack, "b.okoro")
    turn = chat.say("are there any free side rooms")
    free = hms.entries(
        "Location", type="urn:hms:bed-feature|side-room", **{"operational-status": "U"}
    )
    per_ward: dict[str, int] = {}
    for bed in free:
        ward = bed["partOf"]["reference"].removeprefix("Location/ward-")
        per_ward[ward] = per_ward.get(ward, 0) + 1
    assert "side room" in turn.text.lower(), chat.transcript()
    names = {
        w["id"].removeprefix("ward-"): w["name"]
        for w in hms.entries("Location", **{"physical-type": "wa"})
    }
    for ward, count in per_ward.items():
        assert f"{names[ward]}: {count}" in turn.text, chat.transcript()


def test_beds_bed_type_on_a_ward_matches_hms(stack):
    hms, chat = Hms(stack), Chat(stack, "p.kim")
    expected = hms.total(
        "Location",
        partof="Location/ward-icu",
        type="urn:hms:bed-feature|monitored",
        **{"operational-status": "U"},
    )
    turn = chat.say("any monitored beds free in ICU")
    if expected:
        assert f"Intensive Care Unit has {expected} free monitored bed" in turn.text, (
            chat.transcript()
        )
    else:
        assert "No free monitored beds on Intensive Care Unit" in turn.text, chat.transcript()


def test_beds_hospital_wide_summary_matches_hms(stack):
    hms, chat = Hms(stack), Chat(stack, "c.sam")
    total = hms.total("Location", **{"physical-type": "bd", "operational-status": "U"})
    turn = chat.say("how many beds are free across the hospital")
    assert re.search(rf"\b{total} free beds? hospital-wide", turn.text), chat.transcript()
    assert f"Ward 4B {hms.free_beds('4B')} of 30" in turn.text, chat.transcript()


def test_beds_update_status_changes_the_hms(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    dirty = hms.beds("4B", "H") or hms.beds("4B", "C") or hms.beds("4B", "K")
    if not dirty:
        # earlier conversations in this stack may have cleaned every 4B bed: make one dirty
        # through the assistant first (the seed's state is not this test's precondition)
        free = hms.beds("4B", "U")
        assert free, "the demo 4B has no bed at all to work with"
        number = str(int(free[0]["id"].rsplit("-", 1)[1]))
        chat.say(f"bed {number} on 4B needs cleaning")
        setup = chat.fill(
            {"ward": "4B", "bed": number, "bed_status": "needs cleaning"},
            lambda t: t.text.startswith(("Done:", "There's no", "I need")),
        )
        assert setup.kinds == ["update_bed_status_success"], chat.transcript()
        dirty = [b for b in hms.beds("4B", "H") if b["id"] == free[0]["id"]]
        assert dirty, chat.transcript()
    bed = dirty[0]
    number = str(int(bed["id"].rsplit("-", 1)[1]))
    free_before = hms.free_beds("4B")
    chat.say("update a bed status")
    turn = chat.fill(
        {"ward": "4B", "bed": f"bed {number}", "bed_status": "clean"},
        lambda t: t.text.startswith(("Done:", "There's no", "I need")),
    )
    assert turn.kinds == ["update_bed_status_success"], chat.transcript()
    assert turn.data("update_bed_status_success")["status"] == "U", chat.transcript()
    assert hms.bed_status(bed["id"]) == "U"
    assert hms.free_beds("4B") == free_before + 1
    # the new free bed shows in the next answer
    after = chat.say("free beds on 4B?")
    assert f"Ward 4B has {free_before + 1} free beds" in after.text, chat.transcript()


def test_beds_update_in_one_sentence(stack):
    hms, chat = Hms(stack), Chat(stack, "c.sam")
    free = hms.beds("7", "U")
    assert free, "no free bed on ward 7"
    bed = free[-1]
    number = str(int(bed["id"].rsplit("-", 1)[1]))
    chat.say(f"bed {number} on ward 7 needs cleaning")
    turn = chat.fill(
        {"ward": "7", "bed": number, "bed_status": "needs cleaning"},
        lambda t: t.text.startswith(("Done:", "There's no", "I need")),
    )
    assert turn.data("update_bed_status_success")["label"] == bed["name"], chat.transcript()
    assert turn.data("update_bed_status_success")["status"] == "H", chat.transcript()
    assert hms.bed_status(bed["id"]) == "H"


def test_beds_stop_abandons_status_change(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    bed = hms.beds("4B", "O")[0]
    number = str(int(bed["id"].rsplit("-", 1)[1]))
    chat.say("i need to change a bed status")
    chat.fill({"ward": "4B", "bed": number}, lambda t: t.asks() == "bed_status")
    turn = chat.say("stop")
    assert "stopped" in turn.text.lower(), chat.transcript()
    assert hms.bed_status(bed["id"]) == "O"
    # the form is gone: the next message is a fresh request, not the status answer
    turn = chat.say("free beds on 4B")
    assert "Ward 4B has" in turn.text, chat.transcript()
    assert hms.bed_status(bed["id"]) == "O"


def test_beds_nurse_outside_own_ward_refused(stack):
    hms, chat = Hms(stack), Chat(stack, "n.jones")
    bed = hms.beds("7", "O")[0]
    number = str(int(bed["id"].rsplit("-", 1)[1]))
    chat.say("update bed status")
    turn = chat.fill(
        {"ward": "ward 7", "bed": number, "bed_status": "closed"},
        lambda t: "only for that ward's staff" in t.text or t.text.startswith("Done"),
    )
    expected = "ward 7 is only for that ward's staff; you are signed in as nurse for 4B"
    assert expected in turn.text, chat.transcript()
    assert hms.bed_status(bed["id"]) == "O"


@pytest.mark.parametrize(
    ("user", "role"), [("s.ali", "scheduler"), ("h.lee", "helpdesk"), ("dr.patel", "clinician")]
)
def test_beds_check_refused_for_roles_without_beds_read(stack, user, role):
    chat = Chat(stack, user)
    turn = chat.say("any free beds on 4B")
    assert denial_of("beds:read", role)(turn), chat.transcript()
    assert "Bed" not in turn.text.replace("Checking bed", ""), chat.transcript()


def test_beds_porter_refused_status_change(stack):
    hms, chat = Hms(stack), Chat(stack, "p.kim")
    bed = hms.beds("4B", "O")[0]
    number = str(int(bed["id"].rsplit("-", 1)[1]))
    chat.say(f"mark bed {number} on 4B as closed")
    turn = chat.fill(
        {"ward": "4B", "bed": number, "bed_status": "closed"}, denial_of("beds:update", "porter")
    )
    assert "bed manager" in turn.text and "housekeeping" in turn.text, chat.transcript()
    assert hms.bed_status(bed["id"]) == "O"
