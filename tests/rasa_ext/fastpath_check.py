"""Run in .venv-rasa: the fast path gives Rasa's own answers (used by test_fastpath.py).

``python tests/rasa_ext/fastpath_check.py <domain dir> <seed> <conversations>`` prints
one JSON line: how many comparisons were made, and the first mismatch if any.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import BooleanSlot, CategoricalSlot, FloatSlot, ListSlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

ORIGINAL_STATES = Domain.states_for_tracker_history
ORIGINAL_KEYS = RulePolicy._get_possible_keys
ORIGINAL_APPLIED = DialogueStateTracker.applied_events
ORIGINAL_COPY = DialogueStateTracker.copy
ORIGINAL_RESOLVE = Event.resolve_by_type
ORIGINAL_IS_EMPTY = Domain.is_empty

from rasa_ext import fastpath  # noqa: E402

fastpath.install()
PATCHED_STATES = Domain.states_for_tracker_history
PATCHED_KEYS = RulePolicy._get_possible_keys


def slot_value(rng: random.Random, slot: object) -> object:
    if rng.random() < 0.2:
        return None
    if isinstance(slot, CategoricalSlot):
        return rng.choice([v for v in slot.values if v != "__other__"] or [None])
    if isinstance(slot, BooleanSlot):
        return rng.random() < 0.5
    if isinstance(slot, FloatSlot):
        return rng.random()
    if isinstance(slot, ListSlot):
        return ["a"]
    if isinstance(slot, TextSlot):
        return rng.choice(["4B", "ICU", "10004821", "tomorrow", "x"])
    return rng.choice(["a", 1, None])


def turn(rng: random.Random, domain: Domain, active: list[str | None]) -> list[Any]:
    intents = list(domain.intents)
    actions = [a for a in domain.user_actions if a not in domain.form_names]
    forms = list(domain.form_names)
    slots = list(domain.slots)
    events: list[object] = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(
            "text " + str(rng.random()),
            {"name": rng.choice(intents), "confidence": 1.0},
            [{"entity": "ward", "value": "4B", "start": 0, "end": 2}] if rng.random() < 0.3 else [],
        ),
    ]
    roll = rng.random()
    for _ in range(rng.randint(0, 2)):
        slot = rng.choice(slots)
        events.append(SlotSet(slot.name, slot_value(rng, slot)))
    hide = rng.random() < 0.4
    if active[0] is None and roll < 0.25 and forms:
        form = rng.choice(forms)
        active[0] = form
        events += [ActionExecuted(form, hide_rule_turn=hide), ActiveLoop(form)]
        events.append(SlotSet(REQUESTED_SLOT, rng.choice(slots).name))
        events.append(BotUttered("ask"))
    elif active[0] is not None and roll < 0.55:
        events += [ActionExecuted(active[0], hide_rule_turn=hide)]
        events.append(SlotSet(REQUESTED_SLOT, rng.choice(slots).name))
    elif active[0] is not None and roll < 0.65:
        events += [ActionExecutionRejected(active[0]), LoopInterrupted(True)]
        events += [ActionExecuted(rng.choice(actions), hide_rule_turn=hide), BotUttered("other")]
    elif active[0] is not None and roll < 0.8:
        events += [ActionExecuted(active[0]), ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        active[0] = None
    else:
        events += [ActionExecuted(rng.choice(actions), hide_rule_turn=hide), BotUttered("reply")]
        if rng.random() < 0.1:
            events.append(FollowupAction(rng.choice(actions)))
            events.append(ActionExecuted(rng.choice(actions)))
    rare = rng.random()
    if rare < 0.04:
        events.append(UserUtteranceReverted())
    elif rare < 0.07:
        events.append(ActionReverted())
    elif rare < 0.085:
        events += [Restarted()]
        active[0] = None
    elif rare < 0.10:
        events += [ActionExecuted("action_session_start"), SessionStarted()]
        active[0] = None
    return events


def copied(tracker: DialogueStateTracker) -> tuple:
    """What a tracker copy holds: its events (same objects) and its whole state."""
    loop = tracker.active_loop
    return (
        [id(e) for e in tracker.events],
        tracker.current_slot_values(),
        {name: slot.has_been_set for name, slot in tracker.slots.items()},
        (loop.name, loop.is_interrupted, loop.rejected) if loop else None,
        tracker.latest_action,
        "empty" if tracker.latest_message.is_empty() else id(tracker.latest_message),
        tracker.latest_bot_utterance,
        tracker.followup_action,
        tracker.is_paused(),
        [id(e) for e in tracker.applied_events()],
    )


def compare_states(domain: Domain, rng: random.Random, conversations: int) -> dict:
    checks = 0
    rule_only = {"rule_only_slots": [domain.slots[0].name], "rule_only_loops": []}
    options = [(False, False, None), (True, True, rule_only), (False, True, None)]
    for number in range(conversations):
        tracker = DialogueStateTracker(f"c{number}", domain.slots)
        active: list[str | None] = [None]
        for _ in range(rng.randint(5, 60)):
            for event in turn(rng, domain, active):
                tracker.update(event)
                if rng.random() < 0.5:
                    continue
                if rng.random() < 0.1:
                    tracker.clear_followup_action()  # as the processor does, not by an event
                if copied(tracker.copy()) != copied(ORIGINAL_COPY(tracker)):
                    return {"checks": checks, "mismatch": {"copy": number}}
                got_applied, want_applied = tracker.applied_events(), ORIGINAL_APPLIED(tracker)
                if [id(e) for e in got_applied] != [id(e) for e in want_applied]:
                    return {"checks": checks, "mismatch": {"applied": number}}
                omit, ignore, data = rng.choice(options)
                got = PATCHED_STATES(domain, tracker, omit, ignore, data)
                want = ORIGINAL_STATES(domain, tracker, omit, ignore, data)
                checks += 1
                if got != want:
                    mismatch = {"conversation": number, "got": got[-3:], "want": want[-3:]}
                    return {"checks": checks, "mismatch": mismatch}
    return {"checks": checks}


def compare_rule_keys(rng: random.Random) -> int:
    policy = RulePolicy.__new__(RulePolicy)
    checks = 0
    names = ["a", "b", "c", "action_listen"]

    def state(start: bool = False) -> dict:
        out: dict = {"user": {"intent": rng.choice(["x", "y", "z"])}}
        if not start:
            out["prev_action"] = {"action_name": rng.choice(names)}
        if rng.random() < 0.3:
            out["slots"] = {"s": (1.0,)}
        return out

    for _ in range(300):
        lookup = {}
        for _ in range(rng.randint(1, 12)):
            length = rng.randint(1, 5)
            rule = [state(start=(i == 0 and rng.random() < 0.3)) for i in range(length)]
            lookup[json.dumps(rule)] = rng.choice(names)
        states = [state(start=(i == 0)) for i in range(rng.randint(1, 25))]
        if PATCHED_KEYS(policy, lookup, states) != ORIGINAL_KEYS(policy, lookup, states):
            raise SystemExit(json.dumps({"rule_keys_mismatch": [lookup, states]}))
        checks += 1
    return checks


def compare_validators(domain: Domain, rng: random.Random) -> int:
    """The compiled action-response check accepts and refuses what Rasa's schema does."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    from rasa_ext.launch import response_validator

    schema = RemoteAction.action_response_format_spec()
    stock, fast = validator_for(schema)(schema), response_validator(schema)
    checks = 0
    active: list[str | None] = [None]
    for _ in range(300):
        events = [e.as_dict() for e in turn(rng, domain, active)]
        for event in events:
            if rng.random() < 0.3:  # break it: a wrong type, an unknown event, a bad field
                event[rng.choice(["event", "timestamp", "name", "value", "text"])] = rng.choice(
                    [None, 3, "nope", [], {"x": 1}]
                )
        result: dict = {"events": events, "responses": [{"text": "x"}]}
        if rng.random() < 0.1:
            result["responses"] = rng.choice(["oops", [1], None])
        verdicts = []
        for check in (stock.validate, fast):
            try:
                check(result)
                verdicts.append(True)
            except ValidationError:
                verdicts.append(False)
        if verdicts[0] != verdicts[1]:
            raise SystemExit(json.dumps({"validator_mismatch": result}, default=str))
        checks += 1
    return checks


def compare_noop_resets(domain: Domain, rng: random.Random, conversations: int) -> dict:
    """Action answers with and without the dropped no-op resets leave the same slots, form
    and dialogue states (with and without unset slots); some are dropped."""
    from rasa.shared.core.events import AllSlotsReset

    slots = list(domain.slots)
    checks = dropped = 0
    for number in range(conversations):
        tracker = DialogueStateTracker(f"r{number}", domain.slots)
        active: list[str | None] = [None]
        for _ in range(rng.randint(2, 20)):
            for event in turn(rng, domain, active):
                tracker.update(event)
            answer: list[Any] = [BotUttered("reply")]
            for _ in range(rng.randint(0, 30)):
                slot = rng.choice(slots)
                value = None if rng.random() < 0.7 else slot_value(rng, slot)
                answer.append(SlotSet(slot.name, value))
                roll = rng.random()
                if roll < 0.05:
                    answer.append(ActiveLoop(None))
                elif roll < 0.07:
                    answer.append(rng.choice([AllSlotsReset(), Restarted()]))
            kept = fastpath.drop_noop_resets(answer, tracker)
            dropped += len(answer) - len(kept)
            full, lean = ORIGINAL_COPY(tracker), ORIGINAL_COPY(tracker)
            full.update_with_events(answer, domain)
            lean.update_with_events(kept, domain)
            loops = [t.active_loop_name for t in (full, lean)]
            if full.current_slot_values() != lean.current_slot_values() or loops[0] != loops[1]:
                return {"checks": checks, "mismatch": {"noop_resets": number}}
            for omit in (False, True):
                if ORIGINAL_STATES(domain, full, omit) != ORIGINAL_STATES(domain, lean, omit):
                    return {"checks": checks, "mismatch": {"noop_reset_states": number}}
            checks += 1
            tracker = full
    return {"checks": checks, "dropped": dropped}


def compare_graph_runs(rng: random.Random, graphs: int) -> int:
    """``run_in_order`` gives ``dask.get``'s results on random Rasa-shaped graphs (tasks
    ``(node, *parent names)``, inputs ``(name, value)``), calling each node once."""
    import dask

    checks = 0
    for number in range(graphs):
        calls: list[str] = []

        def node(name: str) -> Any:
            def run(*parents: Any) -> tuple[str, Any]:
                calls.append(name)
                return name, (name, [p[1] if isinstance(p, tuple) else p for p in parents])

            return run

        graph: dict[str, Any] = {f"in{i}": (f"in{i}", rng.random()) for i in range(2)}
        names = list(graph)
        for i in range(rng.randint(1, 25)):
            name = f"n{number}_{i}"
            parents = rng.sample(names, rng.randint(0, min(3, len(names))))
            graph[name] = (node(name), *parents)
            names.append(name)
        targets = rng.sample(names, rng.randint(1, min(3, len(names))))
        needed, todo = set(), list(targets)  # Rasa runs the minimal graph of its targets
        while todo:
            key = todo.pop()
            if key not in needed:
                needed.add(key)
                task = graph[key]
                todo.extend(p for p in task[1:] if callable(task[0]) and p in graph)
        graph = {key: task for key, task in graph.items() if key in needed}
        want = dask.get(dict(graph), targets)
        want_calls = sorted(calls)
        calls.clear()
        got = fastpath.run_in_order(dict(graph), targets)
        if list(got) != list(want) or sorted(calls) != want_calls:
            raise SystemExit(json.dumps({"graph_mismatch": number}, default=str))
        checks += 1
    return checks


def compare_event_types() -> int:
    """``Event.resolve_by_type`` with the kept answers gives Rasa's own, twice (the second
    time from what was kept), for every event name, unknown names and ``topic``."""
    from rasa.shared.utils.common import all_subclasses

    names = sorted({cls.type_name for cls in all_subclasses(Event)})
    checks = 0
    for _ in range(2):
        for name in [*names, "nope", "topic"]:
            for default in (None, SlotSet):
                answers = []
                for resolve in (ORIGINAL_RESOLVE, Event.resolve_by_type):
                    try:
                        answers.append(resolve(name, default))
                    except ValueError as exc:
                        answers.append(str(exc))
                if answers[0] != answers[1]:
                    raise SystemExit(
                        json.dumps({"event_type_mismatch": [name, *answers]}, default=str)
                    )
                checks += 1
    return checks


def main() -> None:
    domain = Domain.load(sys.argv[1])
    rng = random.Random(int(sys.argv[2]))
    result = compare_states(domain, rng, int(sys.argv[3]))
    result["rule_key_checks"] = compare_rule_keys(rng)
    result["validator_checks"] = compare_validators(domain, rng)
    result["event_type_checks"] = compare_event_types()
    result["graph_checks"] = compare_graph_runs(rng, 200)
    for _ in range(2):  # computed, then kept
        for checked in (domain, Domain.empty()):
            if checked.is_empty() != ORIGINAL_IS_EMPTY(checked):
                result["mismatch"] = {"domain_is_empty": checked.is_empty()}
    result["domain_empty_checks"] = 4
    resets = compare_noop_resets(domain, rng, 30)
    if "mismatch" in resets:
        result["mismatch"] = resets["mismatch"]
    result["noop_reset_checks"], result["noop_resets_dropped"] = (
        resets["checks"],
        resets.get("dropped", 0),
    )
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
