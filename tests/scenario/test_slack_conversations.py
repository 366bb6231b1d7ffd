"""Whole Slack conversations against the real stack: signed requests in, fake Web API out."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.fakes import slack_api as fk

pytestmark = pytest.mark.stack


NURSE, PORTER = fk.DEMO_STAFF["n.jones"], fk.DEMO_STAFF["p.kim"]


class SlackDriver:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.fake = stack.fake_slack
        self.url = stack.urls["gateway"].rstrip("/") + "/slack/events"
        self.n = 0

    def post(self, body: str, content_type: str, headers: dict | None = None) -> httpx.Response:
        h = {"Content-Type": content_type, **fk.signed_headers(body), **(headers or {})}
        response = httpx.post(self.url, content=body, headers=h, timeout=30)
        assert response.status_code == 200, response.text
        return response

    def event(self, event: dict, event_id: str | None = None, headers: dict | None = None):
        self.n += 1
        event_id = event_id or f"EvScn{time.time_ns()}{self.n}"
        return self.post(fk.event_body(event, event_id), "application/json", headers)

    def click(self, user: str, button: dict, channel: str, message_ts: str, **kw: Any):
        body = fk.block_actions_body(user, button, channel, message_ts, **kw)
        return self.post(body, "application/x-www-form-urlencoded")

    def answer(self, method: str = "chat.postMessage", pred: Any = None, start: int = 0):
        return self.fake.wait_for(method, pred, timeout=90, start=start)


@pytest.fixture
def slack(stack):
    return SlackDriver(stack)


def _entries(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle.get("entry") or []]


def patient_on_4b(stack) -> tuple[str, str, str]:
    """(patient id, MRN, bed label) of someone admitted to a 4B bed."""
    beds = _entries(
        stack.fhir_get("Location", partof="Location/ward-4b", **{"operational-status": "O"})
    )
    for bed in beds:
        stays = _entries(
            stack.fhir_get("Encounter", location=f"Location/{bed['id']}", status="in-progress")
        )
        if stays:
            pid = stays[0]["subject"]["reference"].split("/")[-1]
            patient = stack.fhir_get(f"Patient/{pid}")
            mrn = next(i["value"] for i in patient["identifier"] if i["system"] == "urn:hms:mrn")
            return pid, mrn, bed["name"]
    pytest.fail("no admitted patient on ward 4B in the seed")


def booked_count(stack, pid: str) -> int:
    bundle = stack.fhir_get("Appointment", patient=f"Patient/{pid}", status="booked")
    total = bundle.get("total")
    return total if isinstance(total, int) else len(bundle.get("entry") or [])


def in_dm(user: str, thread: str):
    return lambda p: p.get("channel") == "D" + user[1:] and p.get("thread_ts") == thread


def patient_name(stack, pid: str) -> str:
    """The patient's full name as the HMS holds it (the form's second identifier)."""
    name = (stack.fhir_get(f"Patient/{pid}").get("name") or [{}])[0]
    return " ".join([*(name.get("given") or []), name.get("family") or ""]).strip()


def slot_buttons(params: dict) -> list[dict]:
    return [b for b in fk.buttons_of(params) if "slot_id" in b["value"]]


def fill_booking_form(slack: SlackDriver, user: str, pid: str, mrn: str, thread: str) -> dict:
    """Ask for a cardiology booking in ``user``'s DM thread and answer the form's questions
    (patient name, MRN, department, time) as they come; return the first answer that is not
    one of them (the slot offer, or a refusal)."""
    dm, in_thread = "D" + user[1:], in_dm(user, thread)
    name = patient_name(slack.stack, pid)
    start = len(slack.fake.calls)
    slack.event(fk.dm_event(user, f"book a cardiology appointment for MRN {mrn}", thread))
    for asked in range(5):  # at most name, MRN, department and time are asked
        answer = slack.answer(pred=in_thread, start=start)
        text = answer["text"].lower()
        start = len(slack.fake.calls)
        if slot_buttons(answer):
            return answer
        if "full name" in text:
            slack.event(fk.dm_event(user, name, thread))
        elif "mrn" in text and "?" in text:
            slack.event(fk.dm_event(user, mrn, thread))
        elif "which clinic or department" in text:
            slack.event(fk.dm_event(user, "cardiology", thread))
        elif "when would suit" in text and fk.buttons_of(answer):
            asap = fk.buttons_of(answer)[0]  # "As soon as possible"
            slack.click(user, asap, dm, f"{thread}{asked}")  # its own message: one choice each
        else:
            return answer
    pytest.fail("the booking form kept asking questions")


def book_until_confirm(slack: SlackDriver, pid: str, mrn: str, thread: str) -> dict:
    """Fill the booking form as the nurse, click the first offered slot; return the confirm."""
    offer = fill_booking_form(slack, NURSE, pid, mrn, thread)
    assert slot_buttons(offer), offer["text"]
    assert mrn not in offer["text"] and patient_name(slack.stack, pid) not in offer["text"]
    start = len(slack.fake.calls)
    slack.click(NURSE, slot_buttons(offer)[0], "D" + NURSE[1:], f"{thread}slot")
    return slack.answer(pred=lambda p: in_dm(NURSE, thread)(p) and fk.buttons_of(p), start=start)


def test_slack_nurse_books_appointment_with_buttons(slack, stack):
    pid, mrn, _ = patient_on_4b(stack)
    before = booked_count(stack, pid)
    thread = f"{time.time():.6f}"
    confirm = book_until_confirm(slack, pid, mrn, thread)
    yes = next(b for b in fk.buttons_of(confirm) if b["text"]["text"] == "Yes")
    start = len(slack.fake.calls)
    slack.click(NURSE, yes, "D" + NURSE[1:], f"{thread}yes")
    done = slack.answer(
        pred=lambda p: in_dm(NURSE, thread)(p) and "Booked" in p["text"], start=start
    )
    assert mrn[-4:] in done["text"] and mrn not in done["text"]
    assert booked_count(stack, pid) == before + 1


def test_slack_porter_is_refused_booking(slack, stack):
    pid, mrn, _ = patient_on_4b(stack)
    thread = f"{time.time():.6f}"
    answer = fill_booking_form(slack, PORTER, pid, mrn, thread)
    assert "porter" in answer["text"].lower()
    assert not slot_buttons(answer)


def test_slack_find_patient_in_channel_is_ephemeral(slack, stack):
    _, mrn, bed = patient_on_4b(stack)
    ts = f"{time.time():.6f}"
    start = len(slack.fake.calls)
    slack.event(fk.mention_event(NURSE, f"where is mrn {mrn}", "C0WARD4B", ts))
    answer = slack.answer("chat.postEphemeral", lambda p: p.get("thread_ts") == ts, start=start)
    assert answer["user"] == NURSE and answer["channel"] == "C0WARD4B"
    time.sleep(1)
    public = [p for p in slack.fake.calls_to("chat.postMessage") if p.get("thread_ts") == ts]
    assert public == []


def test_slack_retried_event_books_once(slack, stack):
    pid, mrn, _ = patient_on_4b(stack)
    before = booked_count(stack, pid)
    thread = f"{time.time():.6f}"
    book_until_confirm(slack, pid, mrn, thread)
    start = len(slack.fake.calls)
    event, event_id = fk.dm_event(NURSE, "yes", thread), f"EvRetry{time.time_ns()}"
    slack.event(event, event_id)
    slack.event(event, event_id, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    slack.answer(pred=lambda p: in_dm(NURSE, thread)(p) and "Booked" in p["text"], start=start)
    time.sleep(2)
    answers = [
        c.params
        for c in slack.fake.calls[start:]
        if c.method == "chat.postMessage" and in_dm(NURSE, thread)(c.params)
    ]
    assert len(answers) == 1
    assert booked_count(stack, pid) == before + 1
