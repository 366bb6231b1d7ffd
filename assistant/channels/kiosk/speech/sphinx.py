"""Offline recognition with pocketsphinx and the generated domain model."""

from __future__ import annotations

import math
import threading
from pathlib import Path

from assistant.channels.kiosk.speech.base import EngineUnavailable, Transcript
from assistant.channels.kiosk.speech.lexicon import default_model_dir
from assistant.channels.kiosk.speech.wav import SAMPLE_RATE, read_wav

FILLERS = {"<s>", "</s>", "<sil>", "[noise]", "<unk>"}


class PocketSphinxSTT:
    """One decoder per process (loading takes ~0.3 s); calls are serialised by a lock."""

    name = "pocketsphinx"

    def __init__(self, model_dir: Path, *, max_seconds: float = 15.0) -> None:
        lm, dic = model_dir / "domain.lm", model_dir / "domain.dict"
        if not lm.exists() or not dic.exists():
            raise EngineUnavailable(
                f"no domain model in {model_dir}: run `python -m assistant kiosk build-speech`"
            )
        from pocketsphinx import Config, Decoder

        config = Config(
            hmm=str(default_model_dir() / "en-us"),
            lm=str(lm),
            dict=str(dic),
            samprate=SAMPLE_RATE,
            logfn="/dev/null",
        )
        self._decoder = Decoder(config)
        self._lock = threading.Lock()
        self._max_seconds = max_seconds

    def transcribe(self, wav_bytes: bytes) -> Transcript:
        audio = read_wav(wav_bytes, max_seconds=self._max_seconds)
        with self._lock:
            decoder = self._decoder
            decoder.start_utt()
            decoder.process_raw(audio.pcm, full_utt=True)
            decoder.end_utt()
            hyp = decoder.hyp()
            if hyp is None:
                return Transcript("", 0.0)
            words = [s.word for s in decoder.seg() if s.word not in FILLERS]
            confidence = decoder.get_logmath().exp(hyp.prob)
        text = " ".join(w.split("(")[0] for w in words)
        return Transcript(text, confidence if math.isfinite(confidence) else 0.0)
