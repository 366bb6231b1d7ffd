"""Rasa's fast path (rasa_ext.fastpath) gives Rasa's own answers, and its Redis lock holds.

Scripts run in .venv-rasa (Rasa's Python).
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.require import missing

ROOT = Path(__file__).resolve().parents[2]
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
pytestmark = pytest.mark.rasa  # every test here runs Rasa's Python
HERE = Path(__file__).resolve().parent


def _require_rasa() -> None:
    if not RASA_PY.exists():
        missing("the Rasa environment (.venv-rasa)")


def _rasa(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RASA_PY), *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_fastpath_states_and_rule_keys_equal_rasa_own_on_generated_conversations():
    """Forms, interruptions, rewinds, restarts, session starts, follow-ups, hidden rule
    turns: each prefix of 40 conversations, incrementally, against Rasa's full replay (dialogue
    states, applied history, tracker copies); rule matching on random rules and states; the
    action-response check on valid and broken responses; event names to classes; action
    answers without their no-op slot resets leave the same slots, form and states; graph
    runs in dependency order give dask's results."""
    _require_rasa()
    result = _rasa([str(HERE / "fastpath_check.py"), str(ROOT / "domain"), "7", "40"])
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "mismatch" not in report, report
    assert report["checks"] > 1000 and report["rule_key_checks"] == 300
    assert report["validator_checks"] == 300
    assert report["event_type_checks"] > 80  # every event name, twice, with/without default
    assert report["noop_reset_checks"] > 100 and report["noop_resets_dropped"] > 100
    assert report["graph_checks"] == 200


LOCKS = r"""
import asyncio, json, os, sys
from rasa_ext.lock_store import AtomicRedisLockStore, LocalLockStore

async def overlap(store, holders=5):
    inside, most, order = 0, 0, []
    async def hold(n):
        nonlocal inside, most
        async with store.lock("rest:n.jones:c1"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.02)
            order.append(n)
            inside -= 1
    await asyncio.gather(*(hold(n) for n in range(holders)))
    return most, sorted(order)

async def main():
    url = os.environ["REDIS_URL"]
    a = AtomicRedisLockStore(url=url, lease_seconds=1.0)
    b = AtomicRedisLockStore(url=url, lease_seconds=1.0)  # another worker
    most_local, _ = await overlap(LocalLockStore())
    most_redis, done = await overlap(a)
    # two workers on one conversation: never inside at the same time
    inside, most = 0, 0
    async def hold(store):
        nonlocal inside, most
        for _ in range(10):
            async with store.lock("rest:x:y"):
                inside += 1
                most = max(most, inside)
                await asyncio.sleep(0.005)
                inside -= 1
    await asyncio.gather(hold(a), hold(b))
    # a lock held past its lease is renewed; a holder that died lets go after the lease
    async with a.lock("long"):
        await asyncio.sleep(1.5)
        renewed = await b.redis.exists("rasa:lock:long")
    await a.redis.set("rasa:lock:dead", "someone-killed", px=800)
    started = asyncio.get_running_loop().time()
    async with b.lock("dead"):
        waited = asyncio.get_running_loop().time() - started
    print(json.dumps({"local": most_local, "redis": most_redis, "done": done, "two": most,
                      "renewed": renewed, "waited": waited}))

asyncio.run(main())
"""


@pytest.mark.redis
def test_lock_stores_serialise_a_conversation_across_workers(redis_url: str):
    _require_rasa()
    result = _rasa(["-c", LOCKS], REDIS_URL=redis_url)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["local"] == 1 and report["redis"] == 1 and report["two"] == 1, report
    assert report["done"] == [0, 1, 2, 3, 4]
    assert report["renewed"] == 1
    assert 0.3 < report["waited"] < 5, report


def test_launch_takes_api_token_from_environment_never_argv():
    _require_rasa()
    code = (
        "from rasa_ext.launch import with_auth_token as w\n"
        "print(w(['run', '--enable-api', '-p', '1'], {'RASA_AUTH_TOKEN': 'sekret'}))\n"
        "from rasa.__main__ import create_argument_parser as p\n"
        "a = p().parse_args(w(['run', '--enable-api'], {'RASA_AUTH_TOKEN': '-dash'}))\n"
        "print('dash', a.auth_token)\n"
        "try:\n"
        "    w(['run', '--enable-api', '--auth-token', 'x'], {})\n"
        "except SystemExit as e:\n"
        "    print('refused', e)\n"
    )
    result = _rasa(["-c", code])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'--auth-token=sekret'" in result.stdout
    assert "dash -dash" in result.stdout  # a token starting with "-" is not taken for an option
    assert "refused" in result.stdout


def test_fastpath_intent_features_equal_rasa_own_with_the_trained_model(tmp_path: Path):
    """The classifier gets the same matrix and gives the same ranking, on the model's own
    training examples and on messages it never saw."""
    import re

    _require_rasa()
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        missing("a trained model (make model)")
    texts = []
    for path in sorted((ROOT / "training_data" / "nlu").glob("*.yml")):
        found = re.findall(r"^\s+- (.+)$", path.read_text(), flags=re.M)[:15]
        texts += [re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", t) for t in found]  # no markup
    texts += ["how many free beds on 4B", "zzz qqq", "", "book dr patel friday 10am mrn 10004821"]
    listed = tmp_path / "texts.txt"
    listed.write_text("\n".join(texts))
    result = _rasa([str(HERE / "intent_features_check.py"), str(models[-1]), str(listed)])
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "mismatch" not in report, report
    assert report["compared"] > 100 and report["sparse_only"] == report["compared"]


EVENT_FOR_ACTION = r"""
import json
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa_ext.fastpath import event_for_action

meta = {"principal": "signed", "model_id": "m1"}
parse = {"intent": {"name": "greet", "confidence": 0.9}, "entities": [], "text": "hi",
         "metadata": meta}
events = [
    UserUttered("hi", parse["intent"], [], parse, metadata=meta, message_id="m-1"),
    ActionExecuted("action_listen", metadata={"model_id": "m1"}),
    BotUttered("hello", {"custom": {"kind": "x"}}, metadata={"model_id": "m1"}),
    SlotSet("ward", "4B", metadata={"model_id": "m1"}),
]
for event in events:
    full, sent = event.as_dict(), event_for_action(event)
    assert "metadata" not in sent and "metadata" not in sent.get("parse_data", {}), sent
    full.pop("metadata", None)
    if "parse_data" in full:
        full["parse_data"] = {k: v for k, v in full["parse_data"].items() if k != "metadata"}
    assert sent == full, (sent, full)
assert events[0].parse_data["metadata"] == meta  # the event itself is untouched
assert events[0].as_dict()["metadata"] == meta
print("ok")
"""


def test_fastpath_action_events_go_without_metadata_and_the_tracker_keeps_it():
    """The events sent to the action server lose only ``metadata`` (top level and a user
    message's ``parse_data``); the events in the tracker keep theirs."""
    _require_rasa()
    result = _rasa(["-c", EVENT_FOR_ACTION])
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


RULE_PREDICTION = r"""
from types import SimpleNamespace
from rasa.core.policies.rule_policy import RULES_NOT_IN_STORIES, RulePolicy

original = RulePolicy._rule_prediction
from rasa_ext import fastpath

fastpath.install()
patched = RulePolicy._rule_prediction
assert patched is not original
listed = [f"rule {i}" for i in range(50)]
policy = SimpleNamespace(lookup={RULES_NOT_IN_STORIES: listed}, priority=6)
checks = 0
for source in ["rule 0", "rule 49", "rule 50", "", None]:
    for unhappy in (False, True):
        a = original(policy, [0.1, 0.9], source, unhappy, True, False)
        b = patched(policy, [0.1, 0.9], source, unhappy, True, False)
        assert vars(a) == vars(b), (source, vars(a), vars(b))
        checks += 1
listed.append("rule 50")  # the model's list changed: the set follows it
assert patched(policy, [1.0], "rule 50").hide_rule_turn
assert not patched(SimpleNamespace(lookup={}, priority=6), [1.0], "rule 0").hide_rule_turn
print("ok", checks)
"""


def test_fastpath_rule_prediction_marks_the_same_rules_hidden():
    """A rule not in stories is marked ``hide_rule_turn`` exactly as Rasa's list scan does."""
    _require_rasa()
    result = _rasa(["-c", RULE_PREDICTION])
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok 10")


HEAP = r"""
import asyncio, gc, json
import rasa.core.run as run
from rasa_ext.heap import freeze_after_model_load

async def fake_loader(model_path, endpoints, remote_storage, app, loop):
    return "agent"

run.load_agent_on_start = fake_loader
freeze_after_model_load()
freeze_after_model_load()  # installed twice: still one wrapper
before = gc.get_freeze_count()
agent = asyncio.run(run.load_agent_on_start("m", None, None, None, None))
print(json.dumps({"agent": agent, "before": before, "after": gc.get_freeze_count(),
                  "wrapped_once": run.load_agent_on_start.__wrapped__ is fake_loader}))
"""


def test_heap_settles_after_the_model_loads():
    """The launcher's loader wrapper freezes the heap once the agent is loaded (the model's
    objects leave the collector's passes) and returns the agent unchanged."""
    _require_rasa()
    result = _rasa(["-c", HEAP])
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["agent"] == "agent" and report["wrapped_once"]
    assert report["before"] == 0 and report["after"] > 10_000
