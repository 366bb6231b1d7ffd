"""While a kiosk conversation is with the help desk, its messages are shown at the kiosk."""

from __future__ import annotations

import asyncio
from typing import Any

from assistant.conversation import Reply
from assistant.handoff.inbox import MemoryInbox


def test_kiosk_shows_help_desk_messages_after_the_turns_own_replies(kiosk: Any) -> None:
    inbox = MemoryInbox()
    kiosk.service.inbox = lambda: inbox
    assert kiosk.sign_in().status_code == 200
    session = asyncio.run(kiosk.service.sessions.get(kiosk.client.cookies.get("kiosk_session")))
    sender = f"kiosk:{session.staff}:{session.conversation}"
    asyncio.run(inbox.push(sender, "Help desk (h.lee): On my way"))
    kiosk.assistant.replies = [
        Reply(
            "Passed to h.lee on the help desk (ticket HD-000001).",
            custom={"phi": False, "kind": "handoff_waiting", "data": {}},
        )
    ]
    shown = kiosk.client.post("/kiosk/api/text", json={"text": "is anyone coming?"}).json()
    assert [r["text"] for r in shown["replies"]] == [
        "Passed to h.lee on the help desk (ticket HD-000001).",
        "Help desk (h.lee): On my way",
    ]
    again = kiosk.client.post("/kiosk/api/text", json={"text": "thanks"}).json()
    assert "Help desk (h.lee): On my way" not in [r["text"] for r in again["replies"]]


def test_kiosk_without_handoff_shows_only_the_assistant(kiosk: Any) -> None:
    assert kiosk.sign_in().status_code == 200
    shown = kiosk.client.post("/kiosk/api/text", json={"text": "free beds on 4B"}).json()
    assert [r["text"] for r in shown["replies"]] == ["You asked: free beds on 4B"]
