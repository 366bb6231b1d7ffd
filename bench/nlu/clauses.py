"""How often the clause splitter (``assistant.clauses``) cuts a message, with a trained model.

Runs in the Rasa environment with the model loaded in-process (as ``predict.py``) and the
splitter's own rules (no conversation: no form is ever waiting). Prints, as JSON:

- ``several``: messages of ``multi_requests.yml`` holding several requests, and how many
  were cut into exactly the clauses listed;
- ``one``: single requests that must stay whole - the file's ``one`` list, the NLU
  training messages and ``tests/nlu/heldout.yml`` - and how many were cut (false cuts),
  with the texts that were.

    .venv-rasa/bin/python bench/nlu/clauses.py --model models/x.tar.gz
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the model's custom components and the assistant's splitter
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
DATA = Path(__file__).resolve().parent / "multi_requests.yml"


class AgentReader:
    """The splitter's ``ClauseReader`` over a loaded Rasa agent; no form ever waits."""

    def __init__(self, agent: Any) -> None:
        self.agent = agent

    async def read(self, sender: str, text: str) -> Any:
        from assistant.clauses.reading import reading_of

        return reading_of(await self.agent.parse_message(text))

    async def form_active(self, sender: str) -> bool | None:
        return False


async def _run(model: str) -> dict[str, Any]:
    import yaml
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    from assistant.clauses import ClauseRules, ClauseSplitter
    from intents.catalog import default_catalog

    data = yaml.safe_load(DATA.read_text())
    agent = Agent.load(model)
    split = ClauseSplitter(AgentReader(agent), ClauseRules.from_catalog(default_catalog()))
    several = [(str(i["text"]), str(i["clauses"]).split(" | ")) for i in data["several"]]
    right, wrong = 0, []
    for text, expected in several:
        got = await split.split("bench", text)
        if sorted(got) == sorted(expected):
            right += 1
        else:
            wrong.append({"text": text, "got": got})
    singles = {str(t): "one" for t in data["one"]}
    for path, source in (
        (ROOT / "training_data" / "nlu", "training"),
        (ROOT / "tests" / "nlu" / "heldout.yml", "heldout"),
    ):
        for example in load_data(str(path)).intent_examples:
            singles.setdefault(str(example.get("text")), source)
    cut = []
    for text, source in singles.items():
        got = await split.split("bench", text)
        if len(got) > 1:
            cut.append({"text": text, "source": source, "got": got})
    return {
        "model": model,
        "several": {"n": len(several), "cut_right": right, "missed": wrong},
        "one": {
            "n": len(singles),
            "by_source": {
                s: list(singles.values()).count(s) for s in sorted(set(singles.values()))
            },
            "cut": len(cut),
            "cut_texts": cut,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", required=True)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    with contextlib.redirect_stdout(sys.stderr):  # Rasa prints progress to stdout
        result = asyncio.run(_run(args.model))
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
