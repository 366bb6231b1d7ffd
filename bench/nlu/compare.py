"""Compare NLU pipeline candidates: train, cross-validate, score on the held-out set.

For each candidate config in ``bench/nlu/configs/`` this trains an NLU model (timed),
evaluates it with ``rasa test nlu`` on ``tests/nlu/heldout.yml`` and with 3-fold
cross-validation on ``training_data/nlu``, measures in-process parse speed, and prints a
Markdown table (intent accuracy, intent macro-F1, entity micro-F1, training time, parse
speed). Not a test: a benchmark run on demand, e.g.

    .venv/bin/python bench/nlu/compare.py                 # all candidates
    .venv/bin/python bench/nlu/compare.py light spacy --folds 3 --write bench/nlu/results.md

The spaCy candidate's pipeline (``models/spacy_hms``) is built first by build_spacy.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
CONFIGS = ROOT / "bench" / "nlu" / "configs"
NLU_DATA = ROOT / "training_data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
DOMAIN = ROOT / "domain" / "nlu.yml"
MODELS = ROOT / "models" / "bench"
RESULTS = ROOT / "results" / "bench_nlu"
CANDIDATES = ("light", "diet", "spacy")
# Entities the HMS directory defines (compared across CRF and the spaCy entity_ruler).
DIRECTORY_ENTITIES = ("ward", "department", "clinician", "bed_type")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float
    entity_f1: dict[str, float]  # extractor -> micro F1 over all entities
    directory_f1: dict[str, float]  # extractor -> micro F1 over directory entities


@dataclass(frozen=True)
class Row:
    name: str
    train_seconds: float
    heldout: Scores
    cv: Scores | None
    msgs_per_s: float | None
    emergency_errors: int


def run(cmd: list[str], log: Path) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}; see {log}")


def _micro(report: dict[str, dict[str, float]], labels: tuple[str, ...]) -> float:
    tp = fp = fn = 0.0
    for label in labels:
        row = report.get(label)
        if not isinstance(row, dict) or not row.get("support"):
            continue
        support, precision, recall = row["support"], row["precision"], row["recall"]
        hit = recall * support
        tp += hit
        fn += support - hit
        fp += hit / precision - hit if precision else 0.0
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def read_scores(folder: Path) -> Scores:
    intents = json.loads((folder / "intent_report.json").read_text())
    entity_f1: dict[str, float] = {}
    directory_f1: dict[str, float] = {}
    for path in sorted(folder.glob("*_report.json")):
        extractor = path.name.removesuffix("_report.json")
        if extractor in ("intent", "response_selection"):
            continue
        report = json.loads(path.read_text())
        if "micro avg" in report:
            entity_f1[extractor] = report["micro avg"]["f1-score"]
        directory_f1[extractor] = _micro(report, DIRECTORY_ENTITIES)
    return Scores(intents["accuracy"], intents["macro avg"]["f1-score"], entity_f1,
                  directory_f1)


def parse_speed(model: Path, log: Path) -> tuple[float | None, int]:
    cmd = [str(RASA_PY), "bench/nlu/predict.py", "--model", str(model), "--data", str(HELDOUT),
           "--repeat", "3"]
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    log.write_text(proc.stderr[-20000:])
    if proc.returncode != 0:
        return None, -1
    result = json.loads(proc.stdout)
    (log.parent / "predictions.json").write_text(json.dumps(result, indent=1))
    errors = sum(1 for p in result["predictions"]
                 if (p["intent"] == "emergency") != (p["predicted"] == "emergency"))
    return result["msgs_per_s"], errors


def evaluate(name: str, folds: int) -> Row:
    config = CONFIGS / f"{name}.yml"
    out = RESULTS / name
    if name == "spacy":
        run([str(RASA_PY), "bench/nlu/build_spacy.py"], out / "build_spacy.log")
    start = time.perf_counter()
    run([str(RASA), "train", "nlu", "-c", str(config), "-u", str(NLU_DATA), "-d", str(DOMAIN),
         "--out", str(MODELS), "--fixed-model-name", name], out / "train.log")
    train_seconds = time.perf_counter() - start
    model = MODELS / f"{name}.tar.gz"
    run([str(RASA), "test", "nlu", "-u", str(HELDOUT), "--model", str(model),
         "--out", str(out / "heldout"), "--no-plot"], out / "heldout.log")
    heldout = read_scores(out / "heldout")
    msgs_per_s, emergency_errors = parse_speed(model, out / "speed.log")
    cv = None
    if folds > 1:
        run([str(RASA), "test", "nlu", "-u", str(NLU_DATA), "-c", str(config),
             "--cross-validation", "--folds", str(folds), "--out", str(out / "cv"),
             "--no-plot"], out / "cv.log")
        cv = read_scores(out / "cv")
    return Row(name, train_seconds, heldout, cv, msgs_per_s, emergency_errors)


def _fmt_entities(scores: Scores) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in scores.entity_f1.items()) or "-"


def _fmt_directory(scores: Scores) -> str:
    return ", ".join(f"{k} {v:.3f}" for k, v in scores.directory_f1.items()
                     if not k.startswith("Regex")) or "-"


def table(rows: list[Row], folds: int) -> str:
    lines = [
        f"| pipeline | CV intent acc ({folds}-fold) | CV macro-F1 | CV entity micro-F1 | "
        "held-out intent acc | held-out macro-F1 | held-out entity micro-F1 | "
        "held-out directory-entity F1 | train time (s) | parse msg/s | emergency errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cv = r.cv
        lines.append(
            f"| {r.name} | {f'{cv.accuracy:.3f}' if cv else '-'} | "
            f"{f'{cv.macro_f1:.3f}' if cv else '-'} | {_fmt_entities(cv) if cv else '-'} | "
            f"{r.heldout.accuracy:.3f} | {r.heldout.macro_f1:.3f} | "
            f"{_fmt_entities(r.heldout)} | {_fmt_directory(r.heldout)} | "
            f"{r.train_seconds:.0f} | {r.msgs_per_s if r.msgs_per_s is not None else '-'} | "
            f"{r.emergency_errors} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("candidates", nargs="*", default=list(CANDIDATES))
    parser.add_argument("--folds", type=int, default=3, help="0 or 1 skips cross-validation")
    parser.add_argument("--write", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    rows = []
    for name in args.candidates:
        print(f"== {name}", file=sys.stderr, flush=True)
        rows.append(evaluate(name, args.folds))
        print(table(rows, args.folds), file=sys.stderr, flush=True)
    text = table(rows, args.folds)
    print(text)
    if args.write:
        args.write.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
