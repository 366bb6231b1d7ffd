"""Privacy operations on a demo conversation store: key rotation, erase, purge; figures.

Writes ``--conversations`` conversations (default 1,000) spread over the seven demo staff
through Rasa's real tracker store class (``rasa_ext.tracker_store``, in ``.venv-rasa``),
each with two sessions (one older than the retention period) of a few turns, encrypted
with an old data key. Then, from the app environment, it times and prints:

- ``privacy rotate-key`` (``rotate_everywhere``): events re-encrypted, and the census;
- ``privacy erase`` of one staff member: conversations and events removed;
- ``privacy purge``: sessions past retention removed;

and finally loads a sample conversation back through Rasa's tracker store with only the
new key. Run: ``.venv/bin/python bench/privacy.py [--conversations N] [--tracker-url URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.crypto import DataCipher, generate_key  # noqa: E402
from assistant.store import open_store_at  # noqa: E402
from assistant.store.privacy_ops import (  # noqa: E402
    erase_everywhere,
    purge_everywhere,
    rotate_everywhere,
)
from assistant.store.tracker import open_tracker, tracker_census  # noqa: E402

STAFF = ("n.jones", "dr.patel", "s.ali", "p.kim", "h.lee", "b.okoro", "c.sam")
DAY = 86400.0
WRITER = r"""
import asyncio, json, sys, time
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_ext.tracker_store import EncryptedSQLTrackerStore

DOMAIN = "version: '3.1'\nslots:\n  mrn:\n    type: text\n    mappings: []\n"
TURNS = [("how many free beds on 4B", "There are 3 free beds on Ward 4B."),
         ("where is mrn 10004821", "MS (MRN ending 4821) is on Ward 4B, Bay 1, 4B Bed 1."),
         ("I need a porter for bed 6", "Done: your porter request is HR-000042 (urgent).")]

async def main(spec):
    domain = Domain.from_yaml(DOMAIN)
    store = EncryptedSQLTrackerStore(domain=domain, **spec["store"])
    now = time.time()
    if spec.get("write"):
        for i in range(spec["write"]):
            staff = spec["staff"][i % len(spec["staff"])]
            events = []
            for at in (now - 45 * 86400 + i, now - 3600 + i):
                events += [ActionExecuted("action_session_start", timestamp=at),
                           SessionStarted(timestamp=at + 0.001)]
                for k, (said, answer) in enumerate(TURNS):
                    events += [UserUttered(said, timestamp=at + 1 + k),
                               SlotSet("mrn", "10004821", timestamp=at + 1.1 + k),
                               BotUttered(answer, timestamp=at + 1.2 + k)]
            tracker = DialogueStateTracker.from_events(f"rest:{staff}:c{i}", events, domain.slots)
            await store.save(tracker)
    for sender in spec.get("load", []):
        tracker = await store.retrieve(sender)
        texts = [e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]
        print("LOADED " + json.dumps({"sender": sender, "messages": len(texts),
                                      "mrn": tracker.get_slot("mrn")}))

asyncio.run(main(json.loads(sys.argv[1])))
"""


def rasa(spec: dict, key: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_DATA_KEY")}
    env.update(ASSISTANT_DATA_KEY=key, PYTHONPATH=str(ROOT), RASA_TELEMETRY_ENABLED="false",
               SQLALCHEMY_SILENCE_UBER_WARNING="1")  # fmt: skip
    python = ROOT / ".venv-rasa" / "bin" / "python"
    done = subprocess.run([str(python), "-c", WRITER, json.dumps(spec)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return done.stdout


def store_spec(url: str) -> dict:
    if url.startswith("sqlite:///"):
        return {"dialect": "sqlite", "db": url.removeprefix("sqlite:///")}
    return {"dialect": "postgresql", "host": url.replace("postgresql+psycopg://", "postgresql://")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--tracker-url", help="tracker DB (default: a new SQLite file)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="privacy-bench-"))
    url = args.tracker_url or f"sqlite:///{work / 'rasa_tracker.db'}"
    old, new = generate_key(), generate_key()

    started = time.perf_counter()
    rasa({"store": store_spec(url), "write": args.conversations, "staff": STAFF}, old)
    print(f"wrote {args.conversations} conversations through Rasa's tracker store "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    store = open_store_at(f"sqlite:///{work / 'assistant.db'}")
    tracker = open_tracker(url)
    both = DataCipher([new, old])
    total = tracker_census(tracker, both).total
    print(f"tracker store: {total} events ({total / args.conversations:.0f} per conversation)")

    t0 = time.perf_counter()
    report = rotate_everywhere(store, tracker, both)
    rotate_s = time.perf_counter() - t0
    census = report.census["tracker_events"]
    rate = report.tracker.rotated / rotate_s
    print(f"rotate-key: {report.tracker.rotated} events re-encrypted in {rotate_s:.2f} s "
          f"({rate:.0f} events/s, census included); left under old keys: "
          f"{census.old_total}; old key removable: {report.removable}")  # fmt: skip

    t0 = time.perf_counter()
    erased = erase_everywhere(store, tracker, DataCipher([new]), "n.jones")
    erase_s = time.perf_counter() - t0
    print(f"erase n.jones: {erased.tracker.conversations} conversations, "
          f"{erased.tracker.events} events removed in {erase_s:.2f} s")  # fmt: skip

    t0 = time.perf_counter()
    purged = purge_everywhere(store, tracker, 30)
    purge_s = time.perf_counter() - t0
    print(f"purge (30 days): {purged.tracker.events} events of expired sessions removed, "
          f"{purged.tracker.conversations} conversations emptied, in {purge_s:.2f} s")  # fmt: skip

    sample = f"rest:{STAFF[1]}:c1"
    loaded = rasa({"store": store_spec(url), "load": [sample]}, new)
    print("after rotation, with only the new key, Rasa loads:", loaded.strip().split(" ", 1)[1])
    store.close()
    tracker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
