"""The kiosk page in Debian's headless Chromium, its fake microphone fed from WAV fixtures.

Driven over the Chrome DevTools Protocol (websockets; no driver download). Two targets:
the real stack (``stack`` + ``browser``), and a local gateway with an echo assistant
(``browser`` only) that checks the page, capture and playback on their own.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.gateway import channel_context
from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "tests" / "fixtures" / "audio"
CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser]


@pytest.fixture(autouse=True)
def _chromium() -> None:
    if not Path(CHROMIUM).exists():
        missing("Debian's chromium")


class Browser:
    """Headless Chromium with one page, driven over CDP."""

    def __init__(self, fake_audio: Path) -> None:
        from websockets.sync.client import connect

        self._dir = tempfile.mkdtemp(prefix="kiosk-chromium-")
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={self._dir}",
                "--remote-debugging-port=0",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={fake_audio.resolve()}%noloop",
                "--autoplay-policy=no-user-gesture-required",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._dir) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if time.monotonic() > deadline:
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        self._ids = itertools.count(1)
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        msg_id = next(self._ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.send(method, self.session, **params)

    def js(self, expression: str) -> Any:
        result = self.page(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {expression}")

    def key(self, kind: str) -> None:
        self.page(
            "Input.dispatchKeyEvent",
            type=kind,
            code="Space",
            key=" ",
            windowsVirtualKeyCode=32,
            nativeVirtualKeyCode=32,
        )

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            shutil.rmtree(self._dir, ignore_errors=True)


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def speak(url: str, badge: str, pin: str, fixture: str) -> dict[str, Any]:
    """Sign in, hold the space bar for the fixture's length, return what the page shows."""
    audio = AUDIO / f"{fixture}.wav"
    browser = Browser(audio)
    try:
        browser.page("Page.navigate", url=url)
        browser.wait_for("!document.getElementById('signin').hidden")
        browser.js(
            f"document.getElementById('badge').value={json.dumps(badge)};"
            f"document.getElementById('pin').value={json.dumps(pin)};"
            "document.getElementById('signin-form').requestSubmit(); true"
        )
        try:
            browser.wait_for("!document.getElementById('talk').hidden")
        except AssertionError:
            error = browser.js("document.getElementById('signin-error').textContent")
            retry = browser.js(
                "fetch('/kiosk/api/session', {method: 'POST', headers: {'Content-Type':"
                f" 'application/json'}}, body: JSON.stringify({{badge: {json.dumps(badge)}, pin:"
                f" {json.dumps(pin)}}})}}).then(r => r.status + ' ' + r.statusText)"
                ".catch(e => String(e))"
            )
            raise AssertionError(f"sign-in failed: {error!r}; retried: {retry!r}") from None
        browser.js("document.activeElement.blur(); true")
        browser.key("keyDown")
        browser.wait_for("document.body.dataset.state === 'listening'")
        time.sleep(_seconds(audio) + 0.7)
        browser.key("keyUp")
        browser.wait_for(
            "document.body.dataset.state !== 'listening' && "
            "document.body.dataset.state !== 'thinking'",
            timeout=60,
        )
        try:  # reply audio starts, then plays to its end
            browser.wait_for("document.body.dataset.audioPlayed === '1'", timeout=15)
            browser.wait_for("document.body.dataset.state === 'ready'", timeout=30)
        except AssertionError:
            pass
        return dict(
            browser.js(
                "({transcript: document.getElementById('transcript').textContent,"
                " replies: [...document.querySelectorAll('#replies .reply p')]"
                "   .map(p => p.textContent),"
                " status: document.getElementById('status').textContent,"
                " played: document.body.dataset.audioPlayed === '1',"
                " played_seconds: (p => p.played.length ? p.played.end(0) : 0)"
                "   (document.getElementById('player'))})"
            )
        )
    finally:
        browser.close()


# -- local gateway with an echo assistant (page, capture and playback) ---------------------


@pytest.fixture(scope="module")
def local_kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    import dataclasses

    import uvicorn
    from fastapi import FastAPI

    from assistant.channels.kiosk import mount
    from assistant.channels.kiosk.badges import BadgeStore
    from assistant.channels.kiosk.speech.build import build
    from assistant.channels.kiosk.speech.directory import Directory
    from assistant.config import get_settings
    from assistant.conversation import Reply
    from assistant.store import open_store_at

    class Echo:
        async def send(
            self, *, staff: str, channel: str, conversation: str, text: str
        ) -> list[Reply]:
            return [Reply(f"You said {text}.")]

    tmp = tmp_path_factory.mktemp("kiosk-browser")
    build(
        tmp / "speech",
        Directory.from_json(AUDIO / "directory.json"),
        (ROOT / "training_data" / "nlu").glob("*.yml"),
    )
    settings = dataclasses.replace(
        get_settings(),
        var_dir=tmp,
        assistant_database_url=f"sqlite:///{tmp / 'a.db'}",
        redis_url=None,
        kiosk_speech_dir=tmp / "speech",
    )
    store = open_store_at(settings.assistant_database_url)
    badges = {b.staff: b for b in BadgeStore(store.engine, time.time).enrol_demo()}

    app = FastAPI()
    mount(app, channel_context(settings, Echo(), open_store=lambda: store))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/kiosk/", badges
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


def test_kiosk_browser_local_speech_round_trip(local_kiosk: tuple[str, Any]) -> None:
    url, badges = local_kiosk
    badge = badges["n.jones"]
    shown = speak(url, badge.badge_id, badge.pin, "piper_porter_bed_six")
    assert "porter" in shown["transcript"] and "bed 6" in shown["transcript"]
    assert shown["replies"] == ["You said i need a porter for bed 6."]
    assert shown["played"] is True and shown["played_seconds"] > 1.0


def test_kiosk_browser_local_no_speech(local_kiosk: tuple[str, Any]) -> None:
    url, badges = local_kiosk
    badge = badges["n.jones"]
    shown = speak(url, badge.badge_id, badge.pin, "silence")
    assert shown["transcript"] == "" and shown["replies"] == []
    assert "didn't catch that" in shown["status"]


# -- the real stack --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack_kiosk(stack: Any) -> tuple[str, dict[str, str]]:
    """Build the speech model from the running HMS and enrol the demo badges."""
    env = {**os.environ, **stack.env}
    py = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [py, "-m", "assistant", "kiosk", "build-speech"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        [py, "-m", "assistant", "kiosk", "demo-badges", "--reissue"],  # PINs for this module
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    badges = {line.split()[0]: line for line in listing.splitlines()[1:]}
    return stack.urls["kiosk"], badges


@pytest.mark.stack
def test_kiosk_browser_stack_answers_a_spoken_request(stack_kiosk: Any) -> None:
    url, badges = stack_kiosk
    _, badge, pin = badges["n.jones"].split()
    shown = speak(url, badge, pin, "piper_free_beds_4b")
    assert "4B" in shown["transcript"]
    assert shown["replies"] and all(shown["replies"])
    assert shown["played"] is True and shown["played_seconds"] > 0.5
    assert httpx.get(url, timeout=10).status_code == 200


@pytest.mark.stack
def test_kiosk_browser_stack_no_speech_does_nothing(stack_kiosk: Any) -> None:
    url, badges = stack_kiosk
    _, badge, pin = badges["n.jones"].split()
    shown = speak(url, badge, pin, "silence")
    assert shown["replies"] == [] and "didn't catch that" in shown["status"]
