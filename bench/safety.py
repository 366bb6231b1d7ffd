"""Safety net figures: recall per emergency kind (trained and held out), false alarms on
normal staff messages, latency per message. Prints; asserts nothing.

    .venv/bin/python bench/safety.py [--no-lko] [--show-misses]

- Recall per kind on ``assistant/safety/data/heldout.yml`` (phrases never trained on),
  with the full detector ("trained kinds"), and leave-kinds-out: for each kind K a
  detector built WITHOUT K's lexicon cues and training examples, tested on K's phrases.
  ``emergency`` = answered as an emergency; ``+caution`` = emergency or caution (the
  number is given either way).
- False alarms on the non-emergency examples of the Rasa NLU files
  (``training_data/nlu/*.yml``: also the classifier's negatives, so measured by 5-fold
  cross-validation), of the held-out NLU set (``tests/nlu/heldout.yml``, never trained
  on) and the tricky normal phrases of ``heldout.yml``. A false alarm is an
  ``emergency`` answer; the caution rate is printed beside it.
- Latency: mean and p95 of ``assess`` per message, and the build time.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.safety.classifier import NLU, nlu_examples  # noqa: E402
from assistant.safety.detector import EmergencyDetector, build_detector  # noqa: E402
from assistant.safety.lexicon import DATA  # noqa: E402

HELDOUT = DATA / "heldout.yml"


FOLDS = 5


def normal_sets() -> dict[str, list[str]]:
    training = [
        text
        for path in sorted(NLU.glob("*.yml"))
        for intent, text in nlu_examples(path)
        if intent != "emergency"
    ]
    held = ROOT / "tests" / "nlu" / "heldout.yml"
    heldout = [t for i, t in nlu_examples(held) if i != "emergency"] if held.exists() else []
    tricky = list(yaml.safe_load(HELDOUT.read_text())["normal"])
    return {"training_data/nlu": training, "tests/nlu/heldout": heldout, "safety tricky": tricky}


def assessors(name: str, texts: list[str], full: EmergencyDetector):
    """(detector, texts) pairs: the NLU training messages are also the classifier's
    negatives, so they are measured by 5-fold cross-validation (each fold assessed by a
    detector trained without it); the other sets are never trained on."""
    if name != "training_data/nlu":
        return [(full, texts)]
    folds = [texts[i::FOLDS] for i in range(FOLDS)]
    return [(build_detector(exclude_normal=fold), fold) for fold in folds]


def recall(detector: EmergencyDetector, phrases: list[str]) -> tuple[int, int, list[str]]:
    emergency = caution = 0
    misses = []
    for text in phrases:
        level = detector.assess(text).level
        emergency += level == "emergency"
        caution += level != "none"
        if level != "emergency":
            misses.append(f"{level}: {text}")
    return emergency, caution, misses


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lko", action="store_true", help="skip leave-kinds-out")
    parser.add_argument("--show-misses", action="store_true", help="print missed phrases")
    parser.add_argument(
        "--context",
        choices=("negspacy", "medspacy", "medspacy-default"),
        default="negspacy",
        help="context component (medspacy: a separate environment, see safety_medspacy.py)",
    )
    args = parser.parse_args(argv)
    global build_detector
    if args.context != "negspacy":
        from bench.safety_medspacy import build_medspacy_nlp

        own = args.context == "medspacy"
        build_detector = functools.partial(
            build_detector, nlp=lambda lexicon: build_medspacy_nlp(lexicon, own_terms=own)
        )
    print(f"context component: {args.context}")

    started = time.perf_counter()
    detector = build_detector()
    build_seconds = time.perf_counter() - started
    held = yaml.safe_load(HELDOUT.read_text())["emergency"]
    kinds = sorted(held)

    print("Recall on held-out phrases (emergency / emergency-or-caution)")
    print(f"{'kind':<16}{'n':>4}  {'trained':>15}  {'kind left out':>15}")
    totals = [0, 0, 0, 0, 0]
    for kind in kinds:
        phrases = list(held[kind])
        e, c, misses = recall(detector, phrases)
        line = f"{kind:<16}{len(phrases):>4}  {e:>6}/{c:<3} {e / len(phrases):>5.0%}"
        totals[0] += len(phrases)
        totals[1] += e
        totals[2] += c
        lko_misses: list[str] = []
        if not args.no_lko:
            left_out = build_detector(exclude_kinds=[kind])
            le, lc, lko_misses = recall(left_out, phrases)
            totals[3] += le
            totals[4] += lc
            line += f"  {le:>6}/{lc:<3} {le / len(phrases):>5.0%}"
        print(line)
        if args.show_misses:
            for miss in misses:
                print(f"      trained miss  {miss}")
            for miss in lko_misses:
                print(f"      left-out miss {miss}")
    n = totals[0]
    line = f"{'all':<16}{n:>4}  {totals[1]:>6}/{totals[2]:<3} {totals[1] / n:>5.0%}"
    if not args.no_lko:
        line += f"  {totals[3]:>6}/{totals[4]:<3} {totals[3] / n:>5.0%}"
    print(line)
    print("  (x/y: x answered as emergency, y emergency or caution)")

    print("\nFalse alarms on normal messages")
    timings: list[float] = []
    for name, texts in normal_sets().items():
        emergencies = cautions = 0
        shown = []
        for assessor, part in assessors(name, texts, detector):
            for text in part:
                t0 = time.perf_counter()
                a = assessor.assess(text)
                timings.append(time.perf_counter() - t0)
                emergencies += a.level == "emergency"
                cautions += a.level == "caution"
                if a.level != "none":
                    shown.append(f"{a.level}/{a.kind}/{a.reason}: {text}")
        total = max(1, len(texts))
        print(
            f"  {name:<20} n={len(texts):<5} emergency {emergencies:>3} "
            f"({emergencies / total:.2%})  caution {cautions:>3} ({cautions / total:.2%})"
        )
        if args.show_misses:
            for item in shown:
                print(f"      {item}")

    timings.sort()
    mean_ms = statistics.fmean(timings) * 1000
    p95_ms = timings[int(len(timings) * 0.95)] * 1000
    print(f"\nLatency per message: mean {mean_ms:.2f} ms, p95 {p95_ms:.2f} ms (n={len(timings)})")
    print(f"Build (load lexicon, compile spaCy pipeline, train classifier): {build_seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
