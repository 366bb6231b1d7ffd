"""Pick the speech engines named by configuration (no code change to switch)."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.channels.kiosk.speech.base import (
    EngineUnavailable,
    SpeechToText,
    TextToSpeech,
)

log = logging.getLogger(__name__)


def make_stt(
    engine: str, *, speech_dir: Path, whisper_model_dir: Path | None, max_seconds: float
) -> SpeechToText:
    if engine == "pocketsphinx":
        from assistant.channels.kiosk.speech.sphinx import PocketSphinxSTT

        return PocketSphinxSTT(speech_dir, max_seconds=max_seconds)
    if engine == "whisper":
        if whisper_model_dir is None:
            raise EngineUnavailable("KIOSK_STT_ENGINE=whisper needs KIOSK_WHISPER_MODEL_DIR")
        from assistant.channels.kiosk.speech.whisper import WhisperSTT

        return WhisperSTT(whisper_model_dir, max_seconds=max_seconds)
    raise EngineUnavailable(f"unknown KIOSK_STT_ENGINE {engine!r} (pocketsphinx or whisper)")


def make_tts(engine: str) -> TextToSpeech:
    """Piper with espeak-ng as the fallback; ``espeak`` uses espeak-ng alone."""
    from assistant.channels.kiosk.speech.tts import EspeakTTS, FallbackTTS, PiperTTS

    engines: list[TextToSpeech] = []
    if engine == "piper":
        try:
            engines.append(PiperTTS())
        except EngineUnavailable as exc:
            log.warning("Piper unavailable, using espeak-ng: %s", exc)
    elif engine != "espeak":
        raise EngineUnavailable(f"unknown KIOSK_TTS_ENGINE {engine!r} (piper or espeak)")
    try:
        engines.append(EspeakTTS())
    except EngineUnavailable as exc:
        log.warning("espeak-ng unavailable: %s", exc)
    return FallbackTTS(engines)
