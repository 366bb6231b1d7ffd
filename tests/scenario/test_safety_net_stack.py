"""The safety net and waiting for the help desk, through the real stack (the stack's own
gateway process, trained Rasa model, action server, HMS, fake Slack Web API): REST, Slack
and the kiosk's text turn."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes import slack_api as fk

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
HELPDESK = "C0HELPDESK"


class Rest:
    def __init__(self, stack: Any, user: str = "n.jones") -> None:
        self.stack, self.token, self.conversation = stack, stack.token(user), None

    def say(self, text: str) -> list[dict[str, Any]]:
        data = self.stack.post_message(self.token, text, self.conversation)
        self.conversation = data["conversation_id"]
        return list(data["replies"])


def kinds(replies: list[dict[str, Any]]) -> list[str]:
    return [str((r.get("custom") or {}).get("kind", "")) for r in replies]


def test_safety_stack_emergency_mid_form_answers_first_and_ends_the_form(stack):
    chat = Rest(stack)
    asked = chat.say("book an appointment")
    assert any("name" in r.get("text", "").lower() for r in asked)  # the form is waiting
    replies = chat.say("there's a man with a knife in the waiting room")
    assert kinds(replies) == ["emergency_answer"]  # Rasa's duplicate answer was dropped
    assert "2222" in replies[0]["text"] and replies[0]["custom"]["data"]["number"] == "2222"
    after = chat.say("any free beds on 4B?")
    assert any(k.startswith("check_bed_availability") for k in kinds(after)), after
    assert not any(k.startswith("ask_") for k in kinds(after))  # the form did end


def test_safety_stack_caution_then_the_conversation_carries_on(stack):
    replies = Rest(stack).say("what do I do if there's a fire")
    assert kinds(replies)[0] == "emergency_caution" and len(replies) > 1


def test_safety_stack_clinical_words_in_a_normal_request_are_not_emergencies(stack):
    for text in ("porter for the resus trolley", "book a chest pain clinic follow-up"):
        replies = Rest(stack).say(text)
        assert not {"emergency_answer", "emergency_caution"} & set(kinds(replies)), text


def _ticket(replies: list[dict[str, Any]]) -> str:
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("kind") == "talk_to_human_success":
            return str(custom["data"]["ticket_id"])
    raise AssertionError(f"no ticket opened: {replies}")


def test_safety_stack_waiting_acknowledged_then_withdrawn_back_to_the_assistant(stack):
    chat = Rest(stack)
    ticket = _ticket(chat.say("I want to talk to a person"))
    first = chat.say("the label printer is jammed")
    assert kinds(first) == ["handoff_waiting"] and ticket in first[0]["text"]
    again = chat.say("it's still jammed")
    assert kinds(again) == ["handoff_waiting"]  # every message gets an answer
    assert again[0]["custom"]["data"]["ticket_id"] == ticket
    gone = chat.say("never mind, sorted it")
    assert kinds(gone) == ["handoff_withdrawn"] and gone[0]["custom"]["data"]["ticket_id"] == ticket
    stack.fake_slack.wait_for(
        "chat.update", lambda p: "Withdrawn by the requester" in str(p.get("blocks")), 60
    )
    back = chat.say("any free beds on 4B?")
    assert any(k.startswith("check_bed_availability") for k in kinds(back)), back


def test_safety_stack_emergency_during_handoff_is_answered_and_flagged(stack):
    chat = Rest(stack)
    ticket = _ticket(chat.say("I want to talk to a person"))
    mark = len(stack.fake_slack.calls)
    replies = chat.say("smoke coming from the sluice")
    assert kinds(replies) == ["emergency_answer"] and "2222" in replies[0]["text"]
    flag = stack.fake_slack.wait_for(
        "chat.postMessage",
        lambda p: p.get("channel") == HELPDESK and "emergency" in p.get("text", ""),
        60,
        start=mark,
    )
    assert ticket in flag["text"] and "sluice" not in flag["text"]
    waiting = chat.say("are you there?")
    assert kinds(waiting) == ["handoff_waiting"]  # still with the help desk


def test_safety_stack_slack_dm_emergency_mid_form(stack):
    fake, url = stack.fake_slack, stack.urls["gateway"].rstrip("/") + "/slack/events"
    user = fk.DEMO_STAFF["n.jones"]
    dm = "D" + user[1:]

    def dm_says(text: str) -> dict[str, Any]:
        mark = len(fake.calls)
        body = fk.event_body(fk.dm_event(user, text), f"EvSafety{time.time_ns()}")
        headers = {"Content-Type": "application/json", **fk.signed_headers(body)}
        assert httpx.post(url, content=body, headers=headers, timeout=30).status_code == 200
        return fake.wait_for(
            "chat.postMessage", lambda p: p.get("channel") == dm, timeout=90, start=mark
        )

    asked = dm_says("book an appointment")
    assert "name" in asked["text"].lower()
    answer = dm_says("bed 4 is trying to hurt himself")
    assert answer["text"].startswith("This is an emergency: call 2222 now")


@pytest.fixture(scope="module")
def kiosk(stack: Any) -> tuple[str, str, str]:
    env = {**os.environ, **stack.env}
    listing = subprocess.run(
        # --reissue: another module may have enrolled them on this session's stack already
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "assistant", "kiosk", "demo-badges"]
        + ["--reissue"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    badges = {line.split()[0]: line.split() for line in listing.splitlines()[1:]}
    _, badge, pin = badges["n.jones"]
    return stack.urls["gateway"].rstrip("/") + "/kiosk/api", badge, pin


def test_safety_stack_kiosk_emergency_and_waiting_shown(kiosk):
    api, badge, pin = kiosk
    with httpx.Client(timeout=60) as client:
        assert client.post(f"{api}/session", json={"badge": badge, "pin": pin}).status_code == 200

        def turn(text: str) -> list[str]:
            response = client.post(f"{api}/text", json={"text": text})
            assert response.status_code == 200, response.text
            return [r["text"] for r in response.json()["replies"]]

        assert turn("someone's collapsed outside the lift and isn't responding")[0].startswith(
            "This is an emergency: call 2222 now"
        )
        assert any("HD-" in t for t in turn("I want to talk to a person"))
        shown = turn("the badge reader is broken")
        assert shown and "Passed to the help desk" in shown[0]  # the screen is not blank
        assert turn("cancel")[0].startswith("OK, I've withdrawn ticket")
