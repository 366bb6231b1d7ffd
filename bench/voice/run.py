"""Voice benchmark: ``.venv/bin/python bench/voice/run.py [--limit N]``.

64 spoken staff requests of our own (``requests.yml``; checked to be absent from the LM
corpus) are synthesised with Piper (clean) and espeak-ng (+ a faint noise floor), then
recognised with pocketsphinx and the domain model built from the test directory. Prints
per voice condition: WER, key-detail accuracy (ward, bed, MRN, department, time, help
type all right), real-time factor; and the time from end of speech to the first reply
audio (recognise + normalise + a stub assistant + Piper synthesis of a typical reply).
Audio is cached in ``var/bench/voice``. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
import time
import wave
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.channels.kiosk.speech.build import build  # noqa: E402
from assistant.channels.kiosk.speech.directory import Directory  # noqa: E402
from assistant.channels.kiosk.speech.normalise import normalise, spoken  # noqa: E402
from assistant.channels.kiosk.speech.sphinx import PocketSphinxSTT  # noqa: E402
from assistant.channels.kiosk.speech.stream import stream_wav  # noqa: E402
from assistant.channels.kiosk.speech.tts import PiperTTS  # noqa: E402

AUDIO = ROOT / "tests" / "fixtures" / "audio"
CACHE = ROOT / "var" / "bench" / "voice"
REPLY = "There are 3 free beds on ward 4B: bed 6, bed 9 and bed 12."


def _synth():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kiosk_synth", AUDIO / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wer(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    """(edit distance, reference length) over words."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1], len(ref)


def canonical(text: str) -> list[str]:
    """Both sides in one spelling: "h d u" / "hdu" -> "hdu", digits as digit words."""
    return spoken(normalise(text)).split()


def has(text: str, detail: str) -> bool:
    return re.search(rf"(?<![\w:]){re.escape(detail.lower())}(?![\w:])", text.lower()) is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    requests = yaml.safe_load((Path(__file__).with_name("requests.yml")).read_text())
    if args.limit:
        requests = requests[: args.limit]
    directory = Directory.from_json(AUDIO / "directory.json")
    speech = CACHE / "speech"
    build(speech, directory, (ROOT / "training_data" / "nlu").glob("*.yml"))
    corpus = set((speech / "corpus.txt").read_text().splitlines())
    overlap = sum(r["say"] in corpus for r in requests)
    stt = PocketSphinxSTT(speech)
    synth = _synth()
    conditions = {
        "piper": lambda t, p: synth.piper(t, p),
        "espeak+noise": lambda t, p: synth.espeak(t, p),
    }
    print(f"voice bench: {len(requests)} requests ({overlap} also in the LM corpus)")
    print(f"{'condition':<14} {'WER':>6} {'key details':>12} {'RTF':>6}")
    misses: dict[str, list[str]] = {}
    for name, make in conditions.items():
        errors = words = ok = 0
        decode = audio_seconds = 0.0
        misses[name] = []
        for n, req in enumerate(requests):
            path = CACHE / name / f"{n:03d}.wav"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                make(req["say"], path)
            data = path.read_bytes()
            with wave.open(str(path)) as w:
                audio_seconds += w.getnframes() / w.getframerate()
            start = time.perf_counter()
            heard = stt.transcribe(data).text
            decode += time.perf_counter() - start
            e, r = wer(canonical(req["say"]), canonical(heard))
            errors, words = errors + e, words + r
            text = normalise(heard, directory.ward_codes)
            details = [str(v) for v in (req.get("details") or {}).values()]
            if all(has(text, d) for d in details):
                ok += 1
            else:
                misses[name].append(f"{req['say']!r} -> {text!r}")
        print(
            f"{name:<14} {errors / words:>6.1%} {ok / len(requests):>12.1%} "
            f"{decode / audio_seconds:>6.3f}"
        )
    tts = PiperTTS()
    tts.synthesize("warm up")
    latencies: list[float] = []
    whole: list[float] = []
    for n in range(min(10, len(requests))):
        data = (CACHE / "piper" / f"{n:03d}.wav").read_bytes()
        start = time.perf_counter()
        normalise(stt.transcribe(data).text, directory.ward_codes)
        chunks = stream_wav(tts, REPLY)
        next(chunks), next(chunks)  # WAV header + first sentence: playback can start
        latencies.append(time.perf_counter() - start)
        start = time.perf_counter()
        b"".join(chunks)
        whole.append(latencies[-1] + time.perf_counter() - start)
    print(
        f"end of speech -> first reply audio (stub assistant, Piper streamed by sentence, "
        f"{len(latencies)} runs): median {statistics.median(latencies):.2f} s, "
        f"max {max(latencies):.2f} s; whole reply synthesised: median "
        f"{statistics.median(whole):.2f} s"
    )
    for name, missed in misses.items():
        print(f"\nmissed key details ({name}): {len(missed)}")
        for line in missed:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
