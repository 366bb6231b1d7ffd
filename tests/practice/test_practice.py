"""Practice mode pieces: commands, labels, routing, the tour, the action-server side."""

from __future__ import annotations

from typing import cast

import pytest

from assistant.audit.events import AuditEvent, InMemoryAuditSink
from assistant.conversation import Reply
from assistant.hms.errors import Unavailable
from assistant.hms.protocol import HmsClient
from assistant.identity.principal import sign_principal, verify_principal
from assistant.onboarding.service import Onboarding
from assistant.practice import actions as practice_actions
from assistant.practice.assistant import LABEL, PracticeAssistant, command
from assistant.practice.mode import PracticeModes, is_practice
from assistant.rbac.policy import load_policy
from assistant.store import open_store_at
from assistant.usage.roles import RoleLookup
from intents.catalog import load_catalog
from tests.pages.pages_kit import FakeHms

KEY = "k" * 32


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("practice mode", "on"),
        ("Practice mode on.", "on"),
        ("/practice_on", "on"),
        ("start practice", "on"),
        ("practice mode off", "off"),
        ("stop practice", "off"),
        ("/practice_off", "off"),
        ("free beds on 4B", None),
        ("how do I practice hand hygiene", None),
    ],
)
def test_practice_command_words(text, want):
    assert command(text) == want


class Recorder:
    def __init__(self, kinds):
        self.calls = []
        self.kinds = kinds

    async def send(self, *, staff, channel, conversation, text):
        self.calls.append(conversation)
        return [Reply("answer", (), {"phi": False, "kind": k, "data": {}}) for k in self.kinds]


@pytest.fixture
def store(tmp_path):
    opened = open_store_at(f"sqlite:///{tmp_path / 'a.db'}")
    yield opened
    opened.close()


def practice(store, real_kinds=(), practice_kinds=(), available=True):
    hms = FakeHms()
    onboarding = Onboarding(
        roles=RoleLookup(lambda: hms),
        policy=load_policy(),
        catalog=load_catalog(),
        hms=lambda: hms,
        open_store=lambda: store,
    )
    real, trainee = Recorder(list(real_kinds)), Recorder(list(practice_kinds))
    wrapper = PracticeAssistant(
        real,
        trainee,
        PracticeModes(lambda: store),
        onboarding,
        available=available,
        task_intents=[i.name for i in load_catalog().tasks()],
    )
    return wrapper, real, trainee


async def test_practice_routes_labels_and_switches_back(store):
    wrapper, real, trainee = practice(
        store, ["check_bed_availability_success"], ["check_bed_availability_success"]
    )
    on = await wrapper.send(
        staff="n.jones", channel="rest", conversation="c1", text="practice mode"
    )
    assert on[0].custom["kind"] == "practice_on" and on[0].text.startswith(LABEL)
    tour = on[0].custom["data"]["tour"]
    assert tour and "talk_to_human" not in tour
    replies = await wrapper.send(staff="n.jones", channel="rest", conversation="c1", text="beds")
    assert trainee.calls == ["practice-c1"] and real.calls == []
    assert all(r.text.startswith(LABEL) and r.custom["practice"] for r in replies)
    step = replies[-1]
    assert step.custom["kind"] == "practice_tour_step"
    assert step.custom["data"]["done"] == ["check_bed_availability"]
    again = await wrapper.send(staff="n.jones", channel="rest", conversation="c1", text="beds")
    assert len(again) == 1  # a step is confirmed once
    off = await wrapper.send(
        staff="n.jones", channel="rest", conversation="c1", text="practice mode off"
    )
    assert off[0].custom["kind"] == "practice_off"
    await wrapper.send(staff="n.jones", channel="rest", conversation="c1", text="beds")
    assert real.calls == ["c1"]


async def test_practice_mode_is_read_once_per_request_and_follows_switches(store):
    wrapper, _, _ = practice(store, ["check_bed_availability_success"])
    reads = []
    modes = wrapper.modes
    original = modes.get

    def counting(staff):
        reads.append(staff)
        return original(staff)

    modes.get = counting  # type: ignore[method-assign]
    with wrapper.one_request():
        assert not await wrapper.is_on("n.jones")
        await wrapper.send(staff="n.jones", channel="rest", conversation="c", text="beds")
        assert not await wrapper.is_on("n.jones")
        assert reads == ["n.jones"]
        await wrapper.send(staff="n.jones", channel="rest", conversation="c", text="practice mode")
        switched = len(reads)  # (turning it on reads the new state back)
        assert await wrapper.is_on("n.jones")  # the switch made in the request is seen
        assert len(reads) == switched
    assert await wrapper.is_on("n.jones")  # outside a request: read from the store
    assert len(reads) == switched + 1
    with wrapper.one_request():
        await wrapper.send(staff="n.jones", channel="rest", conversation="c", text="stop practice")
        assert not await wrapper.is_on("n.jones")
    assert len(reads) == switched + 1


async def test_practice_handoff_is_explained_not_made(store):
    wrapper, _, _ = practice(store, practice_kinds=["talk_to_human_unavailable"])
    await wrapper.send(staff="n.jones", channel="rest", conversation="c", text="practice mode")
    replies = await wrapper.send(staff="n.jones", channel="rest", conversation="c", text="a person")
    assert replies[0].custom["kind"] == "talk_to_human_practice"
    assert "help desk is not called" in replies[0].text


async def test_practice_unavailable_without_a_training_hospital(store):
    wrapper, real, _ = practice(store, available=False)
    replies = await wrapper.send(
        staff="n.jones", channel="rest", conversation="c", text="practice mode"
    )
    assert replies[0].custom["kind"] == "practice_unavailable"
    assert not await wrapper.is_on("n.jones")


SENDER = "rest:n.jones:c1"


def test_practice_principal_claim_round_trip():
    signed = sign_principal(KEY, "n.jones", "rest", sender=SENDER, practice=True)
    assert verify_principal(KEY, signed, sender=SENDER).practice is True
    plain = sign_principal(KEY, "n.jones", "rest", sender=SENDER)
    assert verify_principal(KEY, plain, sender=SENDER).practice is False
    assert is_practice("practice-abc") and not is_practice("abc")


def _body(principal, sender=SENDER):
    return {
        "tracker": {"sender_id": sender, "latest_message": {"metadata": {"principal": principal}}}
    }


def test_practice_action_side_reads_only_valid_principals():
    assert practice_actions.principal_is_practice(
        _body(sign_principal(KEY, "a", "rest", sender=SENDER, practice=True)), KEY
    )
    assert not practice_actions.principal_is_practice(
        _body(sign_principal(KEY, "a", "rest", sender=SENDER)), KEY
    )
    forged = sign_principal("other-key-" * 4, "a", "rest", sender=SENDER, practice=True)
    assert not practice_actions.principal_is_practice(_body(forged), KEY)
    elsewhere = sign_principal(KEY, "a", "rest", sender="rest:a:other", practice=True)
    assert not practice_actions.principal_is_practice(_body(elsewhere), KEY)
    assert not practice_actions.principal_is_practice({"nope": 1}, KEY)


async def test_practice_services_never_reach_the_real_hms_or_help_desk():
    import dataclasses

    from actions.services import Services
    from assistant.config import get_settings

    sink = InMemoryAuditSink()
    base = Services(
        settings=dataclasses.replace(get_settings(), practice_hms_base_url=""),
        hms=cast(HmsClient, object()),  # the real client must not be used
        audit=sink,
        policy=load_policy(),
        tickets=object(),
    )
    token = practice_actions._practice.set(True)
    try:
        view = practice_actions.practice_view(base)
    finally:
        practice_actions._practice.reset(token)
    assert practice_actions.practice_view(base) is base  # outside a practice request
    assert view.tickets is None and view.hms is not base.hms
    with pytest.raises(Unavailable):
        await view.hms.with_actor("n.jones").free_beds("4B")
    view.audit.record(
        AuditEvent(
            "n.jones",
            "nurse",
            "rest",
            "check_bed_availability",
            "a",
            "beds:read",
            None,
            None,
            "success",
        )
    )
    assert sink.events[0].detail == "[practice]"
