from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.channels.kiosk.downtime import BoardCache, HelpQueue, metadata
from assistant.conversation import Button, Reply
from assistant.crypto import DataCipher, generate_key
from assistant.store.engine import make_engine


@dataclass(frozen=True)
class Summary:
    ward_code: str
    ward_name: str
    free: int
    total: int


class Hms:
    def __init__(self) -> None:
        self.up = True

    async def bed_summary(self) -> list[Summary]:
        if not self.up:
            raise ConnectionError("down")
        return [Summary("4B", "Ward 4B", 3, 28)]


class Replay:
    """Records what is sent through the guarded action; answers as told."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, int, dict[str, Any]]] = []

    async def __call__(self, staff: str, queue_id: int, slots: dict[str, Any]) -> str:
        self.calls.append((staff, queue_id, slots))
        return self.answers.pop(0)


SLOTS = {"help_type": "porter", "ward": "4B", "bed": "4B-06", "urgency": "urgent",
         "help_description": "porter to take Zebedee Quill to x-ray"}  # fmt: skip


def _queue(tmp_path: Path) -> tuple[HelpQueue, Path]:
    db = tmp_path / "s.db"
    engine = make_engine(f"sqlite:///{db}")
    metadata.create_all(engine)
    cipher = DataCipher([generate_key()])
    return HelpQueue(engine, lambda: 1.0, lambda: cipher), db


async def test_board_cache_keeps_last_board_when_hms_is_down(tmp_path: Path) -> None:
    hms, cache = Hms(), BoardCache(tmp_path / "board.json")
    assert await cache.refresh(hms, 1000.0)
    hms.up = False
    assert not await cache.refresh(hms, 2000.0)
    assert cache.hms_up is False
    assert cache.board is not None and cache.board.as_of == 1000.0
    reloaded = BoardCache(tmp_path / "board.json")  # survives a restart
    assert reloaded.board == cache.board


async def test_help_queue_is_stored_encrypted(tmp_path: Path) -> None:
    queue, db = _queue(tmp_path)
    queue.put("n.jones", SLOTS)
    raw = db.read_bytes() + (tmp_path / "s.db-wal").read_bytes()
    assert b"Zebedee" not in raw and b"x-ray" not in raw
    assert [(q.staff, q.slots) for q in queue.pending()] == [("n.jones", SLOTS)]


async def test_help_queue_goes_through_the_guarded_replay_when_hms_is_back(
    tmp_path: Path,
) -> None:
    queue, _ = _queue(tmp_path)
    queue.put("n.jones", SLOTS)
    queue.put("p.kim", {**SLOTS, "help_type": "it"})
    replay = Replay("retry")
    assert await queue.flush(replay) == 0  # HMS still down: kept, in order
    assert len(queue.pending()) == 2 and len(replay.calls) == 1
    replay = Replay("sent", "refused")
    assert await queue.flush(replay) == 1  # the refused one is dropped (its denial audited)
    assert queue.pending() == []
    assert [(staff, slots["help_type"]) for staff, _, slots in replay.calls] == [
        ("n.jones", "porter"),
        ("p.kim", "it"),
    ]


async def test_unavailable_help_reply_is_queued_and_board_age_shown(kiosk: Any) -> None:
    await kiosk.service.board.refresh(Hms(), kiosk.clock.now - 600)
    kiosk.assistant.replies = [
        Reply(
            "The hospital system isn't answering right now.",
            (Button("Help desk", "/h"),),
            custom={"phi": False, "kind": "request_help_unavailable", "data": {"queue": SLOTS}},
        )
    ]
    kiosk.sign_in()
    body = kiosk.client.post("/kiosk/api/text", json={"text": "yes"}).json()
    texts = " ".join(r["text"] for r in body["replies"])
    assert "queued" in texts and "as of" in texts
    assert body["board"]["hms_up"] is False and body["board"]["wards"][0]["free"] == 3
    assert [q.slots for q in kiosk.service.queue().pending()] == [SLOTS]


async def test_downtime_board_not_shown_without_beds_read(kiosk: Any) -> None:
    await kiosk.service.board.refresh(Hms(), kiosk.clock.now - 600)
    kiosk.assistant.replies = [
        Reply(
            "down",
            custom={"phi": False, "kind": "request_help_unavailable", "data": {"queue": SLOTS}},
        )  # fmt: skip
    ]
    kiosk.sign_in("h.lee")  # help desk: no beds:read
    body = kiosk.client.post("/kiosk/api/text", json={"text": "yes"}).json()
    assert "board" not in body and "as of" not in " ".join(r["text"] for r in body["replies"])
    assert len(kiosk.service.queue().pending()) == 1


async def test_confirmed_help_request_is_queued_when_hms_fails_without_data(
    kiosk: Any,
) -> None:
    kiosk.assistant.replies = [
        Reply(
            "Porter to bed 6 on 4B, urgent - shall I send it?",
            (Button("Yes", "/affirm"), Button("No", "/deny")),
            custom={
                "phi": False,
                "kind": "request_help_confirm",
                "data": {
                    "help_type": "porter",
                    "location_id": "bed-4b-06",
                    "priority": "urgent",
                    "description": "porter to bed 6",
                },
            },
        )
    ]
    kiosk.sign_in()
    asked = kiosk.client.post("/kiosk/api/text", json={"text": "porter bed 6 on 4b"}).json()
    assert asked["replies"][0]["buttons"][0]["payload"] == "/affirm"
    assert kiosk.service.queue().pending() == []
    kiosk.assistant.replies = [
        Reply(
            "The hospital system isn't answering right now.",
            custom={"phi": False, "kind": "request_help_unavailable", "data": {}},
        )
    ]
    kiosk.client.post("/kiosk/api/text", json={"text": "/affirm"})
    [queued] = kiosk.service.queue().pending()
    assert queued.slots == {"help_type": "porter", "urgency": "urgent", "ward": "4B",
                            "bed": "4B-06", "help_description": "porter to bed 6"}  # fmt: skip
