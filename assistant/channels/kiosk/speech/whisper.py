"""faster-whisper recognition with a model directory the hospital provides (optional)."""

from __future__ import annotations

import io
import math
from pathlib import Path

from assistant.channels.kiosk.speech.base import EngineUnavailable, Transcript
from assistant.channels.kiosk.speech.wav import read_wav


class WhisperSTT:
    name = "whisper"

    def __init__(self, model_dir: Path, *, max_seconds: float = 15.0) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise EngineUnavailable(
                "KIOSK_STT_ENGINE=whisper needs the faster-whisper package "
                "(pip install faster-whisper) and KIOSK_WHISPER_MODEL_DIR"
            ) from exc
        if not model_dir.is_dir():
            raise EngineUnavailable(f"whisper model directory not found: {model_dir}")
        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8")
        self._max_seconds = max_seconds

    def transcribe(self, wav_bytes: bytes) -> Transcript:
        read_wav(wav_bytes, max_seconds=self._max_seconds)
        segments, _ = self._model.transcribe(io.BytesIO(wav_bytes), language="en", beam_size=1)
        parts = list(segments)
        text = " ".join(s.text.strip() for s in parts).strip()
        logprob = sum(s.avg_logprob for s in parts) / len(parts) if parts else -math.inf
        return Transcript(text, math.exp(logprob) if parts else 0.0)
