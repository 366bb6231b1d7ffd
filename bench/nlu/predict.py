"""Parse a Rasa NLU data file with a trained model; print predictions and parse speed as JSON.

Runs in the Rasa environment and loads the model once in-process (no server), so it is a
quick way to score a model on ``tests/nlu/heldout.yml`` and to compare parse speed:

    .venv-rasa/bin/python bench/nlu/predict.py --model models/x.tar.gz \
        --data tests/nlu/heldout.yml

Output: ``{"model", "n", "seconds", "msgs_per_s", "predictions": [{"text", "intent",
"predicted", "confidence", "top_non_fallback"}]}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from typing import Any

# the repository root: models may use its custom components (nlu_components/)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


async def _run(model: str, data: str, repeat: int) -> dict[str, Any]:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [(m.get("text"), m.get("intent")) for m in load_data(data).intent_examples]
    agent = Agent.load(model)
    await agent.parse_message("warm up")
    predictions: list[dict[str, Any]] = []
    start = time.perf_counter()
    for _ in range(repeat):
        predictions = []
        for text, intent in examples:
            parsed = await agent.parse_message(text)
            ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
            predictions.append(
                {
                    "text": text,
                    "intent": intent,
                    "predicted": parsed["intent"]["name"],
                    "confidence": parsed["intent"]["confidence"],
                    "top_non_fallback": ranking[0]["name"] if ranking else parsed["intent"]["name"],
                    "ranking": [[r["name"], round(r["confidence"], 4)] for r in ranking[:3]],
                    "entities": [
                        {
                            "entity": e["entity"],
                            "value": e["value"],
                            "extractor": e.get("extractor"),
                        }
                        for e in parsed.get("entities", [])
                    ],
                }
            )
    seconds = time.perf_counter() - start
    n = len(examples) * repeat
    return {
        "model": model,
        "n": n,
        "seconds": round(seconds, 3),
        "msgs_per_s": round(n / seconds, 1) if seconds else None,
        "predictions": predictions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    with contextlib.redirect_stdout(sys.stderr):  # Rasa prints progress to stdout
        result = asyncio.run(_run(args.model, args.data, args.repeat))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
