"""The scale profile survives a crash: kill -9 one gateway and one Rasa worker under load.

``python -m assistant stack --profile scale`` is started for real (PostgreSQL, redis-server,
HAProxy, 2 gateways, 2 Rasa workers, 2 action servers, the reference HMS), with the
launcher's supervisor restarting what dies. Several staff talk to it at once - bookings,
bed questions, a help-desk handoff and a booking half-way through its form - while one
gateway and the Rasa worker serving that half-done booking are killed with SIGKILL.

Every message must get its answer or a retryable error (503/502/504 with Retry-After; the
client then sends the same message with the same ``message_id``); no message is lost; every
booking confirmed is in the HMS exactly once and no other booking appears; the handoff
keeps taking the requester's messages; the half-done booking continues with the slots it
had, on the other worker and again once the killed worker is back.

The counts (sent, answered, retryable errors, lost) are printed and written to
``$CRASH_REPORT`` when that is set (``bench/compare_rasa.py`` shows them).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from assistant.gateway.rasa import sender_id, worker_order
from assistant.identity.tokens import issue_token
from tests.require import missing

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]
RETRYABLE = {502, 503, 504}
MAX_ATTEMPTS = 60
FORM_ANSWERS = {"time": "next week", "department": "cardiology"}
QUESTIONS = {  # answer key -> fragments of the question (or custom.kind ask_<slot>)
    "patient_name": ("full name",),
    "mrn": ("mrn",),
    "department": ("clinic or department",),
    "time": ("when would suit",),
}


def _require(what: str, ok: bool) -> None:
    if not ok:
        missing(f"{what} (the scale profile needs it)")


@pytest.fixture(scope="module")
def scale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from assistant.stack import Stack
    from assistant.stack.files import newest_model

    _require(".venv-rasa", (ROOT / ".venv-rasa" / "bin" / "rasa").exists())
    _require("a trained model in models/", newest_model(ROOT / "models") is not None)
    _require("redis-server", shutil.which("redis-server") is not None)
    _require("HAProxy", bool(shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()))
    _require("PostgreSQL", bool(list(Path("/usr/lib/postgresql").glob("*/bin/postgres"))))
    # pytest's own temp folders are closed to other users; PostgreSQL (run as its system
    # user when the tests run as root) must pass through to var/
    base = Path(tempfile.mkdtemp(prefix="scale-crash-"))
    os.chmod(base, 0o711)
    stack = Stack(
        var_dir=base / "var",
        profile="scale",
        gateways=2,
        rasa_workers=2,
        action_servers=2,
        hms_port=0,
        action_port=0,
        rasa_port=0,
        gateway_port=0,
        inherit=False,
        kiosk_setup=False,
        timeout=600,
        say=lambda _: None,
    )
    stop = threading.Event()

    def supervise() -> None:  # what `python -m assistant stack` does every second
        while not stop.wait(0.5):
            stack.watch()

    stack.start()
    watcher = threading.Thread(target=supervise, daemon=True)
    watcher.start()
    try:
        yield stack
    finally:
        stop.set()
        watcher.join(timeout=5)
        stack.stop()
        shutil.rmtree(base, ignore_errors=True)


# -- the staff's client ----------------------------------------------------------------------


@dataclass
class Counts:
    sent: int = 0
    answered: int = 0
    retryable: int = 0
    lost: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


@dataclass
class Conversation:
    client: httpx.AsyncClient
    url: str
    token: str
    counts: Counts
    staff: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    log: list[str] = field(default_factory=list)

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Send once; on a retryable error send the same message again (same id)."""
        message_id = uuid.uuid4().hex
        self.counts.sent += 1
        body = {"text": text, "conversation_id": self.id, "message_id": message_id}
        headers = {"Authorization": f"Bearer {self.token}"}
        for _ in range(MAX_ATTEMPTS):
            try:
                response = await self.client.post(self.url, json=body, headers=headers)
            except httpx.HTTPError as exc:  # the balancer itself never drops a request
                self.log.append(f"{self.staff}> {text}  !! {type(exc).__name__}")
                break
            self.counts.statuses[response.status_code] += 1
            if response.status_code == 200:
                self.counts.answered += 1
                replies = list(response.json()["replies"])
                self.log.append(f"{self.staff}> {text}")
                self.log += [f"   bot> {r.get('text')}" for r in replies]
                return replies
            if response.status_code in RETRYABLE and response.headers.get("retry-after"):
                self.counts.retryable += 1
                await asyncio.sleep(min(1.0, float(response.headers["retry-after"])))
                continue
            self.log.append(f"{self.staff}> {text}  !! HTTP {response.status_code}")
            break
        self.counts.lost += 1
        raise AssertionError("\n".join(self.log[-12:]) + f"\nlost: {text!r}")

    @property
    def sender(self) -> str:
        return sender_id("rest", self.staff, self.id)


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def kind_of(replies: list[dict[str, Any]]) -> set[str]:
    return {str((r.get("custom") or {}).get("kind")) for r in replies}


def asks(replies: list[dict[str, Any]]) -> str | None:
    for kind in kind_of(replies):
        if kind.startswith("ask_"):
            return kind.removeprefix("ask_")
    lower = text_of(replies).lower()
    hits = [(lower.rfind(f), key) for key, frags in QUESTIONS.items() for f in frags if f in lower]
    return max(hits)[1] if hits else None


def booked(replies: list[dict[str, Any]]) -> bool:
    return "book_appointment_success" in kind_of(replies) or text_of(replies).startswith("Booked")


def slot_button(replies: list[dict[str, Any]]) -> str | None:
    for reply in replies:
        for button in reply.get("buttons") or []:
            if re.search(r"slot", button.get("payload", ""), re.I):
                return str(button["payload"])
    return None


async def book(
    conv: Conversation, patient: dict[str, str], replies: list[dict[str, Any]] | None = None
) -> bool:
    """Drive a booking form to its end (from ``replies`` when it is under way); True when
    the assistant said it is booked."""
    if replies is None:
        replies = await conv.say("book a cardiology appointment")
    answers = {"patient_name": patient["name"], "mrn": patient["mrn"], **FORM_ANSWERS}
    for _ in range(12):
        if booked(replies):
            return True
        wanted = asks(replies)
        payload = slot_button(replies)
        if "book_appointment_confirm" in kind_of(replies) or re.match(
            r"Book .*\?", text_of(replies)
        ):  # "Book AB (MRN ending 4821) into Cardiology Clinic on Mon 7 Dec at 09:00?"
            replies = await conv.say("yes")
        elif payload:
            replies = await conv.say(payload)
        elif wanted in answers:
            replies = await conv.say(answers[wanted])
        else:
            return False
    return booked(replies)


async def ask_beds(conv: Conversation, rounds: int) -> None:
    for _ in range(rounds):
        replies = await conv.say("how many free beds on 4B")
        assert "4B" in text_of(replies), "\n".join(conv.log[-6:])
        await asyncio.sleep(0.2)


# -- the HMS and the store, read directly -----------------------------------------------------


def fhir(stack: Any, path: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(
        stack.urls["fhir"].rstrip("/") + "/" + path,
        params=params,
        headers={"Authorization": f"Bearer {stack.secrets['HMS_API_TOKEN']}"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def patients(stack: Any, count: int) -> list[dict[str, str]]:
    found = []
    for entry in fhir(stack, "Patient", _count=200)["entry"]:
        res = entry["resource"]
        name = res["name"][0]
        full = f"{' '.join(name.get('given', []))} {name['family']}"
        mrn = next(i["value"] for i in res["identifier"] if i["system"] == "urn:hms:mrn")
        found.append({"id": res["id"], "name": full, "mrn": mrn})
    names = Counter(p["name"] for p in found)
    unique = [p for p in found if names[p["name"]] == 1]
    return unique[5 : 5 + count]  # clear of the ones other tests book


def booked_ids(stack: Any, patient_id: str) -> set[str]:
    bundle = fhir(stack, "Appointment", patient=f"Patient/{patient_id}", status="booked")
    return {e["resource"]["id"] for e in bundle.get("entry") or []}


def ticket_state(stack: Any, conversation_sender: str) -> tuple[str, int]:
    engine = sa.create_engine(stack.env["ASSISTANT_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "select t.status, count(m.id) from helpdesk_ticket t "
                    "left join ticket_message m on m.ticket_id = t.id "
                    "where t.conversation_id = :c group by t.id, t.status order by t.id desc"
                ),
                {"c": conversation_sender},
            ).first()
    finally:
        engine.dispose()
    assert row is not None, "no ticket for the handoff conversation"
    return str(row[0]), int(row[1])


def proc(stack: Any, name: str) -> Any:
    return next(p for p in stack.procs if p.name == name)


async def wait_up(url: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise AssertionError(f"{url} did not come back")


# -- the test --------------------------------------------------------------------------------


async def _run(stack: Any) -> dict[str, Any]:
    counts = Counts()
    key = stack.secrets["ASSISTANT_SIGNING_KEY"]
    rest = stack.urls["rest"]
    workers = stack.urls["rasa"].split(",")
    chosen = patients(stack, 7)
    before = {p["id"]: booked_ids(stack, p["id"]) for p in chosen}
    confirmed: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=40)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        def conv(staff: str) -> Conversation:
            return Conversation(client, rest, issue_token(key, staff, ttl=3600), counts, staff)

        # a handoff opened before the crash
        handoff = conv("n.jones")
        opened = await handoff.say("I want to talk to a person")
        assert "talk_to_human_success" in kind_of(opened) or "help desk" in text_of(opened)
        status, messages_before = ticket_state(stack, handoff.sender)
        assert status == "open"

        # a booking half-way through its form; the crash will hit its Rasa worker
        half = conv("s.ali")
        replies = await half.say("book a cardiology appointment")
        assert asks(replies) == "patient_name", "\n".join(half.log)
        replies = await half.say(chosen[0]["name"])
        assert asks(replies) == "mrn", "\n".join(half.log)
        victim_rasa = worker_order(workers, half.sender)[0]
        victim_name = f"rasa-{workers.index(victim_rasa) + 1}"

        async def booking(staff: str, patient: dict[str, str], delay: float) -> None:
            await asyncio.sleep(delay)
            if await book(conv(staff), patient):
                confirmed[patient["id"]] += 1

        async def relay(rounds: int) -> None:
            for n in range(rounds):
                replies = await handoff.say(f"still waiting, message {n}")
                assert "check_bed_availability_success" not in kind_of(replies)
                await asyncio.sleep(0.5)

        async def crash() -> None:
            await asyncio.sleep(3.0)
            os.kill(proc(stack, "gateway-1").pid, signal.SIGKILL)
            await asyncio.sleep(1.0)
            os.kill(proc(stack, victim_name).pid, signal.SIGKILL)

        load = [
            booking("s.ali", chosen[1], 0.0),
            booking("dr.patel", chosen[2], 0.5),
            booking("n.jones", chosen[3], 1.0),
            booking("dr.patel", chosen[4], 4.5),  # while the workers are down
            ask_beds(conv("p.kim"), 25),
            ask_beds(conv("b.okoro"), 25),
            relay(12),
            crash(),
        ]
        await asyncio.gather(*load)

        # the half-done booking goes on where it was (its worker is dead or restarting)
        after_crash = await half.say(chosen[0]["mrn"])
        assert asks(after_crash) in ("department", "time") or slot_button(after_crash), "\n".join(
            half.log
        )

        # both killed processes are started again; conversations return to the worker
        await wait_up(f"{victim_rasa}/version")
        await wait_up(stack.urls["gateway"] + "/lb-health")
        assert proc(stack, "gateway-1").restarts >= 1 and proc(stack, victim_name).restarts >= 1
        if await book(half, chosen[0], replies=after_crash):
            confirmed[chosen[0]["id"]] += 1
        await asyncio.gather(
            booking("s.ali", chosen[5], 0.0),
            booking("n.jones", chosen[6], 0.3),
            ask_beds(conv("p.kim"), 5),
        )
        replies = await handoff.say("are you there?")
        status, messages_after = ticket_state(stack, handoff.sender)

    new = {p["id"]: booked_ids(stack, p["id"]) - before[p["id"]] for p in chosen}
    balancer = (stack.log_dir / "haproxy.log").read_text(errors="replace")
    gateways = "".join(
        path.read_text(errors="replace") for path in stack.log_dir.glob("gateway-*.log")
    )
    return {
        "counts": counts,
        "confirmed": confirmed,
        "new": new,
        "handoff": (status, messages_before, messages_after, replies),
        "half": half.log,
        "lb_retried": len(re.findall(r"retries=\+?[1-9]", balancer)),
        "lb_5xx": len(re.findall(r"status=5\d\d", balancer)),
        "rasa_failovers": gateways.count("trying the next") + gateways.count("; next"),
    }


def test_scale_profile_survives_killing_a_gateway_and_a_rasa_worker(scale: Any) -> None:
    result = asyncio.run(_run(scale))
    counts: Counts = result["counts"]
    report = {
        "sent": counts.sent,
        "answered": counts.answered,
        "retryable_errors": counts.retryable,
        "lost": counts.lost,
        "statuses": dict(counts.statuses),
        "bookings_confirmed": sum(result["confirmed"].values()),
        "bookings_in_hms": sum(len(v) for v in result["new"].values()),
        "requests_replayed_by_balancer": result["lb_retried"],
        "balancer_5xx": result["lb_5xx"],
        "messages_moved_to_other_rasa_worker": result["rasa_failovers"],
    }
    print("\ncrash test:", json.dumps(report))
    if os.environ.get("CRASH_REPORT"):
        Path(os.environ["CRASH_REPORT"]).write_text(json.dumps(report))
    assert counts.lost == 0 and counts.answered == counts.sent, report
    # no booking lost or duplicated: each confirmation is one new appointment, nothing else
    for patient_id, new in result["new"].items():
        assert len(new) == result["confirmed"][patient_id], (patient_id, report)
    assert report["bookings_confirmed"] >= 5, (report, "\n".join(result["half"]))
    # the handoff kept taking the requester's messages across the crash, still open
    status, before, after, last = result["handoff"]
    assert status == "open" and after >= before + 13, result["handoff"]
    assert "check_bed_availability_success" not in kind_of(last)
