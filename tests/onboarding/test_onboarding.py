"""Role guides from the catalog and policy, the first-time welcome, open requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from assistant.audit.events import InMemoryAuditSink
from assistant.channels.slack.home import HomeExtras, home_view
from assistant.channels.slack.identity import SignedIn
from assistant.conversation import Reply
from assistant.crypto import DataCipher, generate_key
from assistant.handoff.tickets import TicketStore
from assistant.hms.models import Staff
from assistant.onboarding.guide import WELCOME_KIND, role_guide, welcome_text
from assistant.onboarding.service import Onboarding, OpenRequest
from assistant.onboarding.welcome import WelcomingAssistant
from assistant.rbac.policy import load_policy
from assistant.store import open_store_at
from assistant.usage.roles import RoleLookup
from intents.catalog import load_catalog
from tests.pages.pages_kit import ROLES, FakeHms

POLICY = load_policy()
CATALOG = load_catalog()


@pytest.mark.parametrize("role", sorted(POLICY.roles))
def test_guide_lists_exactly_the_tasks_the_role_may_ask(role):
    guide = role_guide("x", [role], POLICY, CATALOG)
    granted = POLICY.permissions_for([role])
    expected = [i.name for i in CATALOG.tasks() if i.permission and i.permission in granted]
    assert [c.intent for c in guide.capabilities] == expected
    for c in guide.capabilities:
        assert c.title and c.text and c.example and c.button and c.say


def test_guide_porter_cannot_book_nurse_can():
    porter = [c.intent for c in role_guide("p", ["porter"], POLICY, CATALOG).capabilities]
    nurse = [c.intent for c in role_guide("n", ["nurse"], POLICY, CATALOG).capabilities]
    assert "book_appointment" not in porter and "book_appointment" in nurse
    assert "check_bed_availability" in porter


def test_guide_trainer_and_welcome_text():
    guide = role_guide("l.fox", ["trainer"], POLICY, CATALOG)
    assert guide.role_names == ("Assistant trainer (labels messages it did not understand)",)
    text = welcome_text(guide, "2222")
    assert "2222" in text and "help" in text


class Inner:
    async def send(self, *, staff, channel, conversation, text):
        return [Reply("answer", (), {"phi": False, "kind": "check_bed_availability_success"})]


@dataclass
class Tasks(FakeHms):
    tasks: tuple = ()

    def with_actor(self, username):
        return self

    async def list_tasks(self, requester_username=None, status=None):
        return list(self.tasks)


@pytest.fixture
def store(tmp_path):
    opened = open_store_at(f"sqlite:///{tmp_path / 'a.db'}")
    yield opened
    opened.close()


def onboarding(store, hms=None, audit=None):
    hms = hms or Tasks()
    return Onboarding(
        roles=RoleLookup(lambda: hms),
        policy=POLICY,
        catalog=CATALOG,
        hms=lambda: hms,
        open_store=lambda: store,
        audit=(lambda: audit) if audit else None,
    )


async def test_welcome_comes_once_per_channel_after_the_answer(store):
    assistant = WelcomingAssistant(Inner(), onboarding(store))
    first = await assistant.send(staff="n.jones", channel="slack", conversation="D1", text="hi")
    assert [r.text for r in first][0] == "answer"
    welcome = first[-1]
    assert welcome.custom is not None
    assert welcome.custom["kind"] == WELCOME_KIND
    assert "book_appointment" in welcome.custom["data"]["intents"]
    assert welcome.buttons and all(b.payload for b in welcome.buttons)
    again = await assistant.send(staff="n.jones", channel="slack", conversation="D1", text="x")
    assert len(again) == 1
    rest = await assistant.send(staff="n.jones", channel="rest", conversation="r", text="x")
    assert (
        rest[-1].custom is not None and rest[-1].custom["kind"] == WELCOME_KIND
    )  # once per channel
    kiosk = await assistant.send(staff="n.jones", channel="kiosk", conversation="k", text="x")
    assert len(kiosk) == 1  # the kiosk shows the guide as tiles after sign-in instead


async def test_open_requests_from_hms_and_helpdesk_are_audited(store):
    from assistant.hms.models import HelpTask

    task = HelpTask(
        "t1",
        "HR-000007",
        "porter",
        "requested",
        "urgent",
        None,
        "take pt Jane Doe",
        "n.jones",
        None,
        None,
        datetime.now(UTC),
    )
    done = HelpTask(
        "t2", "HR-000008", "it", "completed", None, None, None, "n.jones", None, None, None
    )
    cipher = DataCipher([generate_key()])
    TicketStore(store, cipher).open_ticket("n.jones", "slack", "slack:n.jones:D1", "help", {}, [])
    audit = InMemoryAuditSink()
    found = await onboarding(store, Tasks(tasks=(task, done)), audit).open_requests(
        "n.jones", "slack"
    )
    assert found == [
        OpenRequest("HR-000007", "help", "porter", "requested", "urgent"),
        OpenRequest("HD-000001", "helpdesk", "talk to the help desk", "open"),
    ]
    assert "Jane" not in str([r.to_json() for r in found])  # no free text
    assert [e.action for e in audit.events] == ["onboarding_open_requests"]
    assert audit.events[0].permission == "help:read" and audit.events[0].outcome == "success"


async def test_open_requests_need_help_read(store):
    class NoRoles(Tasks):
        async def find_staff(self, username=None, email=None):
            return [Staff("p", str(username), "x", None, frozenset({"visitor"}))]

    assert await onboarding(store, NoRoles()).open_requests("v.isitor", "slack") == []


def test_home_view_shows_requests_and_watches():
    staff = Staff("p", "n.jones", "Nia Jones", None, frozenset(ROLES["n.jones"]))
    extras = HomeExtras(
        [OpenRequest("HR-000007", "help", "porter", "requested", "urgent")],
        [],
        frozenset({"requests", "watches"}),
    )
    view = home_view(SignedIn("U1", staff), POLICY, extras)
    text = str(view["blocks"])
    assert "HR-000007" in text and "Your open requests" in text and "Your bed watches" in text
    assert "What you can do" in text


@pytest.mark.parametrize(
    ("on", "title", "value"),
    [(False, "Try practice mode", "/practice_on"), (True, "Leave practice mode", "/practice_off")],
)
def test_home_view_practice_button(on, title, value):
    staff = Staff("p", "p.kim", "Paul Kim", None, frozenset({"porter"}))
    view = home_view(SignedIn("U1", staff), POLICY, HomeExtras((), (), frozenset(), on))
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    practice = [b for b in buttons if b["action_id"].endswith("practice")]
    assert [(b["text"]["text"], b["value"]) for b in practice] == [(title, value)]


def test_home_view_without_practice_offers_no_button():
    staff = Staff("p", "p.kim", "Paul Kim", None, frozenset({"porter"}))
    view = home_view(SignedIn("U1", staff), POLICY, HomeExtras())
    assert "practice" not in str(view).lower()


async def test_first_time_asks_the_store_once_per_staff_and_channel(store):
    guide = onboarding(store)
    calls: list[tuple[str, str]] = []
    mark = guide._mark_seen

    def spy(staff: str, channel: str) -> bool | None:
        calls.append((staff, channel))
        return mark(staff, channel)

    guide._mark_seen = spy  # type: ignore[method-assign]
    answers = [await guide.first_time("n.jones", "rest") for _ in range(4)]
    assert answers == [True, False, False, False] and calls == [("n.jones", "rest")]
    other = onboarding(store)  # another gateway process: the store says seen
    assert await other.first_time("n.jones", "rest") is False
    assert await other.first_time("n.jones", "slack") is True


class Overview:
    def __init__(self, kind):
        self.kind = kind

    async def send(self, *, staff, channel, conversation, text):
        return [Reply("I can help with beds.", (), {"phi": False, "kind": self.kind, "data": {}})]


@pytest.mark.parametrize("kind", ["ask_capabilities_success", "greet_answer"])
async def test_welcome_is_not_repeated_after_an_answer_that_says_what_i_do(store, kind):
    assistant = WelcomingAssistant(Overview(kind), onboarding(store))
    first = await assistant.send(staff="a.admin", channel="rest", conversation="r", text="hi")
    (answer,) = first  # one helpful answer, with the role's examples to tap
    assert answer.kind == kind and answer.buttons and all(b.payload for b in answer.buttons)
    again = await assistant.send(staff="a.admin", channel="rest", conversation="r", text="x")
    assert [r.kind for r in again] == [kind] and not again[0].buttons  # shown once
