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
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

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


@dataclass(frozen=True)
class Row:
    name: str
    train_seconds: float
    heldout: Scores
    cv: Scores | None
    msgs_per_s: float | None
    emergency_errors: int
    directory_by_value: dict[str, float]


def run(cmd: list[str], log: Path) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}; see {log}")


def read_scores(folder: Path) -> Scores:
    intents = json.loads((folder / "intent_report.json").read_text())
    entity_f1: dict[str, float] = {}
    for path in sorted(folder.glob("*_report.json")):
        extractor = path.name.removesuffix("_report.json")
        if extractor in ("intent", "response_selection"):
            continue
        report = json.loads(path.read_text())
        if "micro avg" in report:
            entity_f1[extractor] = report["micro avg"]["f1-score"]
    return Scores(intents["accuracy"], intents["macro avg"]["f1-score"], entity_f1)


_ANNOTATION = re.compile(r"\[([^\]]+)\]\((\w+)\)")


def _synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for path in sorted(NLU_DATA.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            if "synonym" in block:
                for line in str(block["examples"]).splitlines():
                    if line.strip().startswith("- "):
                        table[line.strip()[2:].lower()] = str(block["synonym"])
    return table


def value_f1(predictions: list[dict[str, object]]) -> dict[str, float]:
    """Per-extractor micro F1 over (entity, canonical value) for the directory entities."""
    synonyms = _synonyms()
    gold: dict[str, set[tuple[str, str]]] = {}
    for block in yaml.safe_load(HELDOUT.read_text())["nlu"]:
        for line in str(block.get("examples", "")).splitlines():
            if not line.strip().startswith("- "):
                continue
            raw = line.strip()[2:]
            text = _ANNOTATION.sub(r"\1", raw)
            gold[text] = {
                (ent, synonyms.get(val.lower(), val).lower())
                for val, ent in _ANNOTATION.findall(raw)
                if ent in DIRECTORY_ENTITIES
            }
    extractors = {str(e["extractor"]) for p in predictions for e in p["entities"]}  # type: ignore
    counts: dict[str, list[int]] = {k: [0, 0, 0] for k in extractors}
    for p in predictions:
        want = gold.get(str(p["text"]), set())
        by_extractor: dict[str, set[tuple[str, str]]] = {}
        for e in p["entities"]:  # type: ignore[union-attr]
            if e["entity"] in DIRECTORY_ENTITIES:
                by_extractor.setdefault(e["extractor"], set()).add(
                    (e["entity"], str(e["value"]).lower())
                )
        for extractor, c in counts.items():
            got = by_extractor.get(extractor, set())
            c[0] += len(got & want)
            c[1] += len(got - want)
            c[2] += len(want - got)
    return {
        k: 2 * tp / (2 * tp + fp + fn)
        for k, (tp, fp, fn) in counts.items()
        if tp and not k.startswith("Regex")
    }


def parse_speed(model: Path, out: Path) -> None:
    """In-process parse speed and predictions (saved to ``predictions.json``)."""
    cmd = [
        str(RASA_PY),
        "bench/nlu/predict.py",
        "--model",
        str(model),
        "--data",
        str(HELDOUT),
        "--repeat",
        "3",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    (out / "speed.log").write_text(proc.stderr[-20000:])
    if proc.returncode == 0:
        (out / "predictions.json").write_text(proc.stdout)


def train_and_test(name: str, folds: int) -> None:
    """Train, evaluate and record everything under ``results/bench_nlu/<name>/``."""
    config = CONFIGS / f"{name}.yml"
    out = RESULTS / name
    out.mkdir(parents=True, exist_ok=True)
    if name.startswith("spacy"):
        run([str(RASA_PY), "bench/nlu/build_spacy.py"], out / "build_spacy.log")
    start = time.perf_counter()
    run(
        [
            str(RASA),
            "train",
            "nlu",
            "-c",
            str(config),
            "-u",
            str(NLU_DATA),
            "-d",
            str(DOMAIN),
            "--out",
            str(MODELS),
            "--fixed-model-name",
            name,
        ],
        out / "train.log",
    )
    (out / "summary.json").write_text(json.dumps({"train_seconds": time.perf_counter() - start}))
    model = MODELS / f"{name}.tar.gz"
    run(
        [
            str(RASA),
            "test",
            "nlu",
            "-u",
            str(HELDOUT),
            "--model",
            str(model),
            "--out",
            str(out / "heldout"),
            "--no-plot",
        ],
        out / "heldout.log",
    )
    parse_speed(model, out)
    if folds > 1:
        run(
            [
                str(RASA),
                "test",
                "nlu",
                "-u",
                str(NLU_DATA),
                "-c",
                str(config),
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                str(out / "cv"),
                "--no-plot",
            ],
            out / "cv.log",
        )


def load_row(name: str) -> Row:
    """A table row from the files ``train_and_test`` left behind."""
    out = RESULTS / name
    summary = json.loads((out / "summary.json").read_text())
    msgs_per_s, emergency_errors, by_value = None, -1, {}
    if (out / "predictions.json").exists():
        result = json.loads((out / "predictions.json").read_text())
        predictions = result["predictions"]
        msgs_per_s = result["msgs_per_s"]
        emergency_errors = sum(
            1
            for p in predictions
            if (p["intent"] == "emergency") != (p["predicted"] == "emergency")
        )
        by_value = value_f1(predictions)
    cv = read_scores(out / "cv") if (out / "cv" / "intent_report.json").exists() else None
    return Row(
        name,
        summary["train_seconds"],
        read_scores(out / "heldout"),
        cv,
        msgs_per_s,
        emergency_errors,
        by_value,
    )


def _fmt(values: dict[str, float]) -> str:
    short = {
        k.removesuffix("EntityExtractor").removesuffix("Classifier"): v
        for k, v in values.items()
        if not k.startswith("Regex")
    }
    return ", ".join(f"{k} {v:.3f}" for k, v in sorted(short.items())) or "-"


def table(rows: list[Row]) -> str:
    lines = [
        "| pipeline | CV intent acc | CV intent macro-F1 | CV entity micro-F1 | "
        "held-out intent acc | held-out intent macro-F1 | held-out entity micro-F1 | "
        "held-out directory-entity F1 (by value) | train time (s) | parse msg/s | "
        "emergency errors (held-out) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cv = r.cv
        lines.append(
            f"| {r.name} | {f'{cv.accuracy:.3f}' if cv else '-'} | "
            f"{f'{cv.macro_f1:.3f}' if cv else '-'} | {_fmt(cv.entity_f1) if cv else '-'} | "
            f"{r.heldout.accuracy:.3f} | {r.heldout.macro_f1:.3f} | "
            f"{_fmt(r.heldout.entity_f1)} | {_fmt(r.directory_by_value)} | "
            f"{r.train_seconds:.0f} | {r.msgs_per_s if r.msgs_per_s is not None else '-'} | "
            f"{r.emergency_errors} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("candidates", nargs="*", default=list(CANDIDATES))
    parser.add_argument("--folds", type=int, default=3, help="0 or 1 skips cross-validation")
    parser.add_argument(
        "--rescore", action="store_true", help="only rebuild the table from results/bench_nlu/"
    )
    parser.add_argument("--write", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    for name in [] if args.rescore else args.candidates:
        print(f"== {name}", file=sys.stderr, flush=True)
        train_and_test(name, args.folds)
    text = table([load_row(name) for name in args.candidates])
    print(text)
    if args.write:
        args.write.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
