"""Checks on uploaded audio: a 16 kHz mono 16-bit PCM WAV, not too long, not silent."""

from __future__ import annotations

import io
import math
import wave
from array import array
from dataclasses import dataclass

from assistant.channels.kiosk.speech.base import AudioRejected

SAMPLE_RATE = 16000
# Frames (20 ms) louder than this RMS count as sound; a faint noise floor stays below it.
SPEECH_RMS = 500
MIN_VOICED_SECONDS = 0.15


@dataclass(frozen=True)
class Audio:
    pcm: bytes  # 16-bit little-endian mono samples
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


def read_wav(data: bytes, *, max_seconds: float) -> Audio:
    """Parse ``data``; raise :class:`AudioRejected` (malformed / too_long) when unusable."""
    if len(data) > (max_seconds * SAMPLE_RATE * 2) + 4096:
        raise AudioRejected("too_long", f"audio longer than {max_seconds:g} seconds")
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.getnframes()
            if channels != 1 or width != 2 or rate != SAMPLE_RATE:
                raise AudioRejected("malformed", "expected 16 kHz mono 16-bit PCM WAV audio")
            if frames / rate > max_seconds:
                raise AudioRejected("too_long", f"audio longer than {max_seconds:g} seconds")
            pcm = wav.readframes(frames)
    except (wave.Error, EOFError) as exc:
        raise AudioRejected("malformed", "the audio is not a readable WAV file") from exc
    if len(pcm) < 2:
        raise AudioRejected("silent", "the recording is empty")
    return Audio(pcm=pcm[: len(pcm) // 2 * 2], sample_rate=rate)


def voiced_seconds(audio: Audio, *, threshold: int = SPEECH_RMS) -> float:
    """Seconds of 20 ms frames whose RMS exceeds ``threshold``."""
    samples = array("h")
    samples.frombytes(audio.pcm)
    step = audio.sample_rate // 50
    voiced = 0
    for start in range(0, len(samples), step):
        frame = samples[start : start + step]
        if frame and math.sqrt(sum(s * s for s in frame) / len(frame)) > threshold:
            voiced += len(frame)
    return voiced / audio.sample_rate


def require_speech(audio: Audio) -> None:
    if voiced_seconds(audio) < MIN_VOICED_SECONDS:
        raise AudioRejected("silent", "no speech was heard")


def write_wav(pcm: bytes, sample_rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buf.getvalue()
