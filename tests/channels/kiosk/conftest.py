"""Kiosk fixtures: a speech model built from the test directory, a mounted kiosk app."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.conversation import Button, Reply
from tests.fakes.gateway import channel_context

ROOT = Path(__file__).resolve().parents[3]
AUDIO = ROOT / "tests" / "fixtures" / "audio"
NLU = ROOT / "training_data" / "nlu"


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.channels.kiosk.speech.build import build
    from assistant.channels.kiosk.speech.directory import Directory

    out = tmp_path_factory.mktemp("speech")
    build(out, Directory.from_json(AUDIO / "directory.json"), NLU.glob("*.yml"))
    return out


@pytest.fixture(scope="session")
def stt(speech_dir: Path) -> Any:
    from assistant.channels.kiosk.speech.sphinx import PocketSphinxSTT

    return PocketSphinxSTT(speech_dir)


def read_wav(name: str) -> bytes:
    return (AUDIO / f"{name}.wav").read_bytes()


@pytest.fixture
def wav() -> Any:
    """``wav(name)`` -> bytes of ``tests/fixtures/audio/<name>.wav``."""
    return read_wav


class FakeAssistant:
    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []
        self.replies: list[Reply] | None = None

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        self.calls.append(
            {"staff": staff, "channel": channel, "conversation": conversation, "text": text}
        )
        if self.replies is not None:
            return self.replies
        return [Reply(f"You asked: {text}", (Button("Yes", "/affirm"),))]


class FakeTTS:
    name = "fake"

    def synthesize(self, text: str) -> bytes:
        from assistant.channels.kiosk.speech.wav import write_wav

        return write_wav(b"\x00\x00" * 1600, 16000)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class StaffHms:
    """The HMS as the board guard sees it: staff and their roles (``up`` False: down)."""

    ROLES = {"n.jones": {"nurse"}, "b.okoro": {"bed_manager"}, "h.lee": {"helpdesk"},
             "p.kim": {"porter"}}  # fmt: skip

    def __init__(self) -> None:
        self.up = True

    async def find_staff(self, username: str | None = None, email: str | None = None) -> list:
        from assistant.hms.models import Staff

        if not self.up:
            raise ConnectionError("down")
        roles = self.ROLES.get(username or "")
        return [] if roles is None else [Staff(f"pr-{username}", str(username), "x", None,
                                               frozenset(roles))]  # fmt: skip


class Kiosk:
    def __init__(
        self,
        client: TestClient,
        assistant: FakeAssistant,
        clock: Clock,
        service: Any,
        badges: dict[str, Any],
    ) -> None:
        self.client, self.assistant, self.clock, self.service = client, assistant, clock, service
        self.badges = badges  # staff -> DemoBadge with its (random) PIN
        self.staff_hms: StaffHms = StaffHms()
        self.audit: Any = None

    def sign_in(self, staff: str = "n.jones") -> Any:
        badge = self.badges[staff]
        return self.client.post(
            "/kiosk/api/session", json={"badge": badge.badge_id, "pin": badge.pin}
        )


@pytest.fixture
def kiosk(tmp_path: Path, speech_dir: Path, stt: Any) -> Iterator[Kiosk]:
    from assistant.channels.kiosk import mount
    from assistant.channels.kiosk.badges import BadgeStore
    from assistant.config import get_settings
    from assistant.store import open_store_at

    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp_path,
        assistant_database_url=f"sqlite:///{tmp_path / 'assistant.db'}",
        redis_url=None,
        kiosk_idle_seconds=60,
        kiosk_max_seconds=15,
        kiosk_speech_dir=speech_dir,
        kiosk_tts_engine="espeak",
        data_key=Fernet.generate_key().decode(),
    )
    store = open_store_at(settings.assistant_database_url)
    clock = Clock()
    badges = {b.staff: b for b in BadgeStore(store.engine, clock).enrol_demo()}
    assistant = FakeAssistant()
    app = FastAPI()
    ctx = channel_context(settings, assistant, open_store=lambda: store, clock=clock)
    service = mount(app, ctx)
    service.stt = lambda: stt
    service.tts = lambda: FakeTTS()
    from assistant.audit import open_audit_sink
    from assistant.channels.kiosk.guard import BoardGuard
    from assistant.rbac.policy import load_policy

    with TestClient(app) as client:
        handle = Kiosk(client, assistant, clock, service, badges)
        handle.audit = open_audit_sink(settings)
        service.guard = BoardGuard(lambda: handle.staff_hms, load_policy, lambda: handle.audit)
        yield handle
    store.close()
