from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.channels.base import Button, Reply
from assistant.channels.kiosk.downtime import BoardCache, HelpQueue, metadata
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
        self.tasks: list[tuple[Any, ...]] = []

    async def bed_summary(self) -> list[Summary]:
        if not self.up:
            raise ConnectionError("down")
        return [Summary("4B", "Ward 4B", 3, 28)]

    async def create_task(self, *args: Any) -> None:
        if not self.up:
            raise ConnectionError("down")
        self.tasks.append(args)


async def test_board_cache_keeps_last_board_when_hms_is_down(tmp_path: Path) -> None:
    hms, cache = Hms(), BoardCache(tmp_path / "board.json")
    assert await cache.refresh(hms, 1000.0)
    hms.up = False
    assert not await cache.refresh(hms, 2000.0)
    assert cache.hms_up is False
    assert cache.board is not None and cache.board.as_of == 1000.0
    reloaded = BoardCache(tmp_path / "board.json")  # survives a restart
    assert reloaded.board == cache.board


async def test_help_queue_sends_when_hms_is_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    metadata.create_all(engine)
    hms, queue = Hms(), HelpQueue(engine, lambda: 1.0)
    hms.up = False
    queue.put("n.jones", "porter", "bed-4b-06", "urgent", "porter to bed 6")
    assert await queue.flush(lambda staff: hms) == 0
    assert len(queue.pending()) == 1
    hms.up = True
    assert await queue.flush(lambda staff: hms) == 1
    assert queue.pending() == []
    assert hms.tasks == [("porter", "bed-4b-06", "urgent", "porter to bed 6", "n.jones")]


async def test_unavailable_help_reply_is_queued_and_board_age_shown(kiosk: Any) -> None:
    await kiosk.service.board.refresh(Hms(), kiosk.clock.now - 600)
    kiosk.assistant.replies = [
        Reply(
            "The hospital system isn't answering right now.",
            (Button("Help desk", "/h"),),
            custom={
                "phi": False,
                "kind": "request_help_unavailable",
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
    body = kiosk.client.post("/kiosk/api/text", json={"text": "yes"}).json()
    texts = " ".join(r["text"] for r in body["replies"])
    assert "queued" in texts and "as of" in texts
    assert body["board"]["hms_up"] is False and body["board"]["wards"][0]["free"] == 3
    assert [q.help_type for q in kiosk.service.queue().pending()] == ["porter"]


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
    queued = kiosk.service.queue().pending()
    assert [(q.help_type, q.location_id, q.priority) for q in queued] == [
        ("porter", "bed-4b-06", "urgent")
    ]
