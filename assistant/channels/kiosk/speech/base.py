"""Ports and errors shared by the speech engines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SpeechError(Exception):
    """Base of every speech error."""


class AudioRejected(SpeechError):
    """The audio cannot be used (malformed, too long, silent); ``reason`` says which."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class EngineUnavailable(SpeechError):
    """A configured engine cannot be loaded (package or model files missing)."""


class BuildError(SpeechError):
    """The domain language model / dictionary could not be built."""


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float


class SpeechToText(Protocol):
    def transcribe(self, wav_bytes: bytes) -> Transcript:
        """Recognise 16 kHz mono 16-bit WAV audio; empty text when nothing was heard."""
        ...


class TextToSpeech(Protocol):
    name: str

    def synthesize(self, text: str) -> bytes:
        """Return a complete WAV file speaking ``text``."""
        ...
