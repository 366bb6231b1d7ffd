"""The kiosk's behaviour, independent of HTTP: sign-in, turns, speech, downtime."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from assistant.channels.kiosk.badges import BadgeStore
from assistant.channels.kiosk.downtime import BoardCache, HelpQueue, Replay, slots_from_reply
from assistant.channels.kiosk.guard import BoardGuard
from assistant.channels.kiosk.render import KioskReply, render_all
from assistant.channels.kiosk.sessions import KioskSession, SessionStore
from assistant.channels.kiosk.shared import (
    AudioStore,
    MemoryAudioStore,
    MemoryPendingHelp,
    PendingHelp,
)
from assistant.channels.kiosk.speech.base import (
    AudioRejected,
    SpeechToText,
    TextToSpeech,
    Transcript,
)
from assistant.channels.kiosk.speech.normalise import normalise
from assistant.channels.kiosk.speech.stream import stream_wav
from assistant.channels.kiosk.speech.wav import read_wav, require_speech
from assistant.conversation import Assistant, Reply

log = logging.getLogger(__name__)

SIGN_OUT = re.compile(r"^(please )?(sign|log) (me )?(out|off)( please)?$")
NOT_CAUGHT = "Sorry, I didn't catch that. Please hold the button and try again."
HMS_DOWN = "The hospital system is unreachable at the moment."


@dataclass(frozen=True)
class TurnResult:
    transcript: str
    replies: list[KioskReply]
    audio_id: str | None
    signed_out: bool = False
    board: dict[str, Any] | None = None


@dataclass
class KioskService:
    assistant: Assistant
    sessions: SessionStore
    badges: Callable[[], BadgeStore]
    stt: Callable[[], SpeechToText]
    tts: Callable[[], TextToSpeech]
    board: BoardCache
    queue: Callable[[], HelpQueue]
    guard: BoardGuard
    ward_codes: tuple[str, ...] = ()
    max_seconds: float = 15.0
    idle_seconds: int = 60
    clock: Callable[[], float] = time.time
    tz: str = "Europe/London"
    inbox: Callable[[], Any] = lambda: None  # the help desk's messages (handoff inbox)
    audio: AudioStore = field(default=None)  # type: ignore[assignment]
    pending: PendingHelp = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.audio = self.audio or MemoryAudioStore(self.clock)
        self.pending = self.pending or MemoryPendingHelp()

    async def sign_in(self, badge_id: str, pin: str) -> KioskSession:
        # argon2 verification is CPU work: off the event loop
        staff = await asyncio.to_thread(self.badges().verify, badge_id, pin)
        return await self.sessions.create(staff, badge_id)

    def warm(self) -> None:
        """Load the speech engines (first load takes ~1-2 s) before the first utterance."""
        try:
            self.stt()
            self.tts()
        except Exception as exc:
            log.warning("speech engines not ready: %s", exc)

    async def sign_out(self, session: KioskSession) -> None:
        await self.sessions.delete(session.id)

    async def hear(self, wav: bytes) -> Transcript:
        """Check and recognise audio; AudioRejected when unusable or nothing recognised."""
        audio = read_wav(wav, max_seconds=self.max_seconds)
        require_speech(audio)
        transcript = await asyncio.to_thread(self.stt().transcribe, wav)
        if not transcript.text.strip():
            raise AudioRejected("not_understood", NOT_CAUGHT)
        return Transcript(normalise(transcript.text, self.ward_codes), transcript.confidence)

    async def turn(self, session: KioskSession, text: str) -> TurnResult:
        if SIGN_OUT.match(" ".join(text.lower().split()).strip(".!")):
            await self.sign_out(session)
            bye = KioskReply("Signed out. Goodbye.", "Signed out. Goodbye.")
            return TurnResult(text, [bye], None, signed_out=True)
        replies = await self.assistant.send(
            staff=session.staff, channel="kiosk", conversation=session.conversation, text=text
        )
        # the turn's own replies first (an emergency answer stays the first thing shown),
        # then what the help desk wrote since the last turn
        shaped = render_all(replies) + await self._helpdesk_messages(session)
        await self._remember_help(session, replies)
        board = None
        if any(r.kind.endswith("_unavailable") for r in shaped):
            self.board.hms_up = False
            board = await self.board_for(session)
            shaped = await self._downtime(session, replies, shaped, show_board=board is not None)
        return TurnResult(text, shaped, await self._speak(session, shaped), board=board)

    async def board_for(self, session: KioskSession) -> dict[str, Any] | None:
        """The bed board for this session's staff member, or None (needs beds:read)."""
        decision = await self.guard.check(session.staff, hms_up=self.board.hms_up)
        return self.board_json() if decision.allowed else None

    async def _helpdesk_messages(self, session: KioskSession) -> list[KioskReply]:
        """Messages the help desk wrote to this kiosk conversation (kept in the inbox)."""
        inbox = self.inbox()
        if inbox is None:
            return []
        try:
            items = await inbox.pull(f"kiosk:{session.staff}:{session.conversation}")
        except Exception as exc:
            log.warning("help-desk inbox unavailable: %s", type(exc).__name__)
            return []
        return [
            KioskReply(
                str(item.get("text", "")),
                str(item.get("text", "")),
                tuple(item.get("buttons") or ()),
                "helpdesk",
            )
            for item in items
            if item.get("text")
        ]

    async def _remember_help(self, session: KioskSession, replies: list[Reply]) -> None:
        """Keep the details of a help request being confirmed, to queue it if the HMS is down.

        (The dialogue's confirmation reply carries them in ``custom.data``; the
        ``request_help_unavailable`` reply may not.)
        """
        for reply in replies:
            kind = reply.kind
            if kind.startswith("request_help") and kind != "request_help_unavailable":
                slots = slots_from_reply(reply.data)
                if slots is not None:
                    await self.pending.remember(session.conversation, slots)

    async def _downtime(
        self,
        session: KioskSession,
        replies: list[Reply],
        shaped: list[KioskReply],
        *,
        show_board: bool,
    ) -> list[KioskReply]:
        out = list(shaped)
        for reply in replies:
            if reply.kind != "request_help_unavailable":
                continue
            slots = slots_from_reply(reply.data)
            if slots is None:
                slots = await self.pending.pop(session.conversation)
            if slots is not None:
                self.queue().put(session.staff, slots)  # encrypted; sent via the guard
                note = "Your help request is queued and will be sent when the system is back."
                out.append(KioskReply(note, note))
        age = self.board_json()
        if show_board and age["as_of"]:
            note = f"{HMS_DOWN} The bed board shown is as of {age['as_of']}."
            out.append(KioskReply(note, note))
        return out

    async def _speak(self, session: KioskSession, replies: list[KioskReply]) -> str | None:
        """Keep the reply's speech text; it is synthesised as it is streamed."""
        text = " ".join(r.speech for r in replies if r.speech)
        return await self.audio.put(session.id, text) if text else None

    async def speech_stream(self, session: KioskSession, audio_id: str) -> Iterator[bytes] | None:
        """The reply WAV (streamed sentence by sentence), once, to the session that made
        it; None if unknown, expired or another session's."""
        text = await self.audio.take(session.id, audio_id)
        if text is None:
            return None
        return stream_wav(self.tts(), text)

    def board_json(self) -> dict[str, Any]:
        board = self.board.board
        as_of = (
            datetime.fromtimestamp(board.as_of, ZoneInfo(self.tz)).strftime("%H:%M")
            if board
            else None
        )
        return {
            "hms_up": self.board.hms_up,
            "as_of": as_of,
            "age_seconds": int(self.clock() - board.as_of) if board else None,
            "wards": board.to_json()["wards"] if board else [],
        }

    async def background_once(self, source: Any, replay: Replay) -> None:
        if await self.board.refresh(source, self.clock()):
            await self.queue().flush(replay)
