"""Stream a reply as one WAV, synthesised sentence by sentence.

The first sentence is playing while the rest are synthesised, so the time to the first
reply audio is one sentence's synthesis, not the whole reply's.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import wave
from collections.abc import Iterator

from assistant.channels.kiosk.speech.base import TextToSpeech

log = logging.getLogger(__name__)
_SPLIT = re.compile(r"(?<=[.!?:;])\s+")
STREAMING_SIZE = 0xFFFFFFFF  # RIFF/data size for a WAV of unknown length


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def wav_header(sample_rate: int, data_size: int = STREAMING_SIZE) -> bytes:
    riff = STREAMING_SIZE if data_size == STREAMING_SIZE else 36 + data_size
    return (
        b"RIFF"
        + struct.pack("<I", riff)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_size)
    )


def _pcm(wav_bytes: bytes) -> tuple[bytes, int]:
    with wave.open(io.BytesIO(wav_bytes)) as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError("expected mono 16-bit speech")
        return w.readframes(w.getnframes()), w.getframerate()


def stream_wav(tts: TextToSpeech, text: str) -> Iterator[bytes]:
    """Yield a WAV header then PCM per sentence; stop quietly if a later sentence fails."""
    rate = None
    for part in sentences(text):
        try:
            pcm, part_rate = _pcm(tts.synthesize(part))
        except Exception as exc:
            log.warning("speech synthesis failed: %s", type(exc).__name__)
            if rate is None:
                raise
            return
        if rate is None:
            rate = part_rate
            yield wav_header(rate)
        elif part_rate != rate:
            return
        yield pcm
