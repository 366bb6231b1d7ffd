"""Kiosk options, taken from :class:`assistant.config.Settings` (the only env reader).

``kiosk_stt_engine`` / ``kiosk_whisper_model_dir`` / ``kiosk_tts_engine`` /
``kiosk_speech_dir`` come from ``KIOSK_STT_ENGINE``, ``KIOSK_WHISPER_MODEL_DIR``,
``KIOSK_TTS_ENGINE`` and ``KIOSK_SPEECH_DIR``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings


def _opt(settings: Settings, name: str) -> str | None:
    value = getattr(settings, name, None)
    return str(value) if value else None


@dataclass(frozen=True)
class KioskOptions:
    idle_seconds: int
    max_seconds: int
    stt_engine: str  # "pocketsphinx" | "whisper"
    whisper_model_dir: Path | None
    tts_engine: str  # "piper" | "espeak"
    speech_dir: Path
    state_dir: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> KioskOptions:
        whisper = _opt(settings, "kiosk_whisper_model_dir")
        speech = _opt(settings, "kiosk_speech_dir")
        return cls(
            idle_seconds=settings.kiosk_idle_seconds,
            max_seconds=settings.kiosk_max_seconds,
            stt_engine=(_opt(settings, "kiosk_stt_engine") or "pocketsphinx").lower(),
            whisper_model_dir=Path(whisper) if whisper else None,
            tts_engine=(_opt(settings, "kiosk_tts_engine") or "piper").lower(),
            speech_dir=Path(speech) if speech else settings.var_dir / "speech",
            state_dir=settings.var_dir / "kiosk",
        )
