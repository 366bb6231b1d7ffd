"""Slack user -> staff: refusals are answered, audited, and never reach the assistant."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.channels.slack.identity import (
    DirectoryFromFactory,
    Refused,
    SignedIn,
    SlackIdentity,
)
from tests.channels.slack.slack_kit import STAFF
from tests.fakes import slack_api as fake_module


async def test_identity_known_nurse_reaches_assistant_as_staff(slack):
    await slack.dm("U0NJONES", "hi")
    await slack.posted()
    assert slack.assistant.turns[0]["staff"] == "n.jones"
    assert slack.audit.events == []


async def test_identity_deleted_slack_user_is_refused_and_audited(slack):
    await slack.dm(fake_module.DELETED_USER, "where is patient 10004821")
    posted = await slack.posted()
    assert "can't match your Slack account" in posted["text"]
    assert slack.assistant.turns == []
    assert slack.audit.events == [
        {"slack_user": fake_module.DELETED_USER, "reason": "slack_user_deleted", "staff": None}
    ]
    assert slack.directory.lookups == []  # no hospital data consulted


async def test_identity_unknown_email_is_refused_and_audited(slack):
    await slack.mention(fake_module.UNKNOWN_USER, "free beds")
    posted = await slack.posted("chat.postEphemeral")
    assert posted["user"] == fake_module.UNKNOWN_USER
    assert slack.assistant.turns == []
    assert slack.audit.events[0]["reason"] == "not_in_directory"


async def test_identity_inactive_staff_is_refused(slack):
    await slack.dm("U0CSAM", "free beds")
    await slack.posted()
    assert slack.assistant.turns == []
    assert slack.audit.events == [
        {"slack_user": "U0CSAM", "reason": "staff_inactive", "staff": "c.sam"}
    ]


async def test_identity_slack_user_missing_from_workspace_is_refused(slack):
    await slack.command("U0NOBODY", "free beds")
    await slack.posted("chat.postEphemeral")
    assert slack.assistant.turns == []
    assert slack.audit.events[0]["reason"] == "not_in_directory"


async def test_identity_refused_click_does_not_reach_assistant(slack):
    button = {
        "action_id": "hms_btn_0",
        "text": {"type": "plain_text", "text": "x"},
        "value": '{"c": "D0STRANGER", "p": "/choose", "t": "x", "e": 0}',
    }
    await slack.click(fake_module.UNKNOWN_USER, button, channel="D0STRANGER")
    await slack.settle()
    assert slack.assistant.turns == []
    assert slack.audit.events[0]["reason"] == "not_in_directory"


class _Client:
    def __init__(self, users):
        self.users = users
        self.calls = 0

    async def users_info(self, user):
        self.calls += 1
        return {"ok": True, "user": self.users[user]}


class _Dir:
    def __init__(self, staff, fail=False):
        self.staff, self.fail = staff, fail

    async def find_staff(self, username=None, email=None):
        if self.fail:
            raise ConnectionError("hms down")
        return [s for s in self.staff if s.email == email]


async def test_identity_is_cached_until_ttl():
    now = [0.0]
    users = fake_module.default_users()
    client = _Client(users)
    ident = SlackIdentity(_Dir(list(STAFF.values())), ttl=60, clock=lambda: now[0])
    assert isinstance(await ident.resolve(client, "U0NJONES"), SignedIn)
    await ident.resolve(client, "U0NJONES")
    assert client.calls == 1
    now[0] = 61
    await ident.resolve(client, "U0NJONES")
    assert client.calls == 2


async def test_identity_lookup_failure_is_refused_but_not_cached():
    client = _Client(fake_module.default_users())
    directory = _Dir(list(STAFF.values()), fail=True)
    ident = SlackIdentity(directory)
    first = await ident.resolve(client, "U0NJONES")
    assert isinstance(first, Refused) and first.reason == "lookup_failed"
    directory.fail = False
    assert isinstance(await ident.resolve(client, "U0NJONES"), SignedIn)


async def test_identity_accepts_directory_factory():
    client = _Client(fake_module.default_users())
    ident = SlackIdentity(DirectoryFromFactory(lambda: _Dir(list(STAFF.values()))))
    result = await ident.resolve(client, "U0PKIM")
    assert isinstance(result, SignedIn) and result.username == "p.kim"


class _FuzzyDir:
    """An HMS whose e-mail search also returns near matches (prefix, other domain)."""

    def __init__(self, staff):
        self.staff = staff

    async def find_staff(self, username=None, email=None):
        local = (email or "").split("@")[0]
        return [s for s in self.staff if (s.email or "").startswith(local[:4])]


@pytest.mark.parametrize(
    ("change", "reason", "says"),
    [
        ({"is_email_confirmed": False}, "email_unconfirmed", "not confirmed"),
        ({"is_email_confirmed": None}, "email_unconfirmed", "not confirmed"),
        ({"is_restricted": True}, "guest", "guest accounts"),
        ({"is_ultra_restricted": True}, "guest", "guest accounts"),
        ({"is_bot": True}, "bot", "can't match"),
        ({"is_app_user": True}, "bot", "can't match"),
    ],
    ids=["unconfirmed", "unconfirmed-missing", "guest", "single-channel-guest", "bot", "app"],
)
async def test_identity_refuses_unconfirmed_guest_and_bot_accounts(change, reason, says):
    users = fake_module.default_users()
    users["U0NJONES"] = {**users["U0NJONES"], **change}
    directory = _Dir(list(STAFF.values()))
    result = await SlackIdentity(directory).resolve(_Client(users), "U0NJONES")
    assert isinstance(result, Refused) and result.reason == reason
    assert says in result.message


async def test_identity_refuses_a_near_email_match_and_says_exact_only():
    users = fake_module.default_users()
    email = users["U0NJONES"]["profile"]["email"]
    users["U0NJONES"]["profile"] = {**users["U0NJONES"]["profile"],
                                     "email": email.replace("@", ".nurse@")}  # fmt: skip
    result = await SlackIdentity(_FuzzyDir(list(STAFF.values()))).resolve(
        _Client(users), "U0NJONES"
    )
    assert isinstance(result, Refused) and result.reason == "not_in_directory"
    assert "exact e-mail address only" in result.message


async def test_identity_refuses_two_staff_records_with_the_same_email():
    nurse = STAFF["n.jones"]
    twin = dataclasses.replace(nurse, username="n.jones2", id="pr-twin")
    result = await SlackIdentity(_Dir([nurse, twin])).resolve(
        _Client(fake_module.default_users()), "U0NJONES"
    )
    assert isinstance(result, Refused) and result.reason == "ambiguous_email"
