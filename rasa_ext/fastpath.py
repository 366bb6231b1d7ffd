"""Rasa 3.6 runtime changes that keep a turn's cost flat as a conversation grows.

Applied by ``rasa_ext.launch`` before Rasa starts (``install()``); each one is measured
(``bench/compare_rasa.py``) and keeps Rasa's behaviour:

- **states** (``rasa_ext.states``, ``rasa_ext.applied``): dialogue states and the applied
  history are built once per event, not by replaying the session for every prediction;
- **rules**: ``RulePolicy._get_possible_keys`` stops walking back through the states once
  it is past the longest remaining rule (every rule is applicable from there on, so the
  answer is the same); "is this rule one not in stories" is a set look-up, not a scan of
  the model's list;
- **tracker copies** (``rasa_ext.copying``): the copy made before each action takes the
  tracker's state instead of replaying its events;
- **debug formatting**: the policies' state dumps and the deep copies Rasa passes to its
  debug log calls (whole histories, user text included) are made only when debug logging
  is on;
- **action calls**: one pooled HTTP session per endpoint instead of a new one per call;
  the domain goes once per action server (rasa-sdk keeps it by digest and answers 449
  when it lacks it; the call is then repeated with the domain); the action gets the
  events of the last ``history_turns`` user turns (default 5) instead of the whole
  session - actions listed in ``full_history_actions`` get every event of the session;
  the events go without their ``metadata`` (model id, assistant id, earlier messages'
  principals: read by no action; ``latest_message`` keeps its own);
- **event classes**: ``Event.resolve_by_type`` (every event an action returns, every event
  read from the store) walks all ``Event`` subclasses, with an ``isabstract`` check on
  each, to find one name; here the name -> class answer is kept once found;
- **no-op slot resets**: a ``SlotSet(slot, None)`` an action returns for a slot that is
  already empty at that point of its events changes no slot and no dialogue state, yet
  each was validated, applied, encrypted, stored as a row and sent back to the action
  server in every later call (the actions clear every task slot at the end of a task:
  ~45 of a turn's ~55 events). They are dropped (``drop_noop_resets``), except in the
  answers of validation actions (``validate_<form>``, ``action_validate_slot_mappings``),
  where Rasa reads a returned ``SlotSet`` as "validated" or "invalid";
- **empty domain check**: ``Domain.is_empty`` (asked on every parsed message) builds the
  whole domain as a dict and an empty one to compare; here the answer is kept per domain
  object (a loaded model's domain does not change);
- **intent features**: ``LogisticRegressionClassifier`` builds its input by stacking each
  message's sentence features beside an empty dense block and then all messages on top of
  each other (two scipy stack operations); a single message with only sparse features is
  that same matrix already (float64, same entries in the same order), used as it is; and
  the featurizers' sentence blocks are stacked once, without Rasa's deep copy of the first
  block and its combined sequence matrix, which the classifier never reads;
- **intent probabilities**: sklearn's ``predict_proba`` multiplies the message's sparse row
  by ``coef_.T``, which scipy copies (~200k numbers, column-major to row-major) on every
  call, after re-validating the input; here the transposed copy is made once per model
  and sklearn's own softmax steps run on the same numbers (bit-identical probabilities,
  ``tests/rasa_ext/intent_features_check.py``);
- **graph runs**: every NLU parse and every action prediction runs a model graph through
  ``dask.get``, whose scheduler (ordering, task bookkeeping, a result queue) cost more
  than most of the graph's small components; here the same graph is evaluated in
  dependency order in the calling thread (``run_in_order``; dask's ``get`` is single-
  threaded too), each node once;
- **no silent loss**: Rasa's ``FailSafeTrackerStore`` answers a failed read with an empty
  conversation and a failed write by keeping the turn in memory only; here the error
  reaches the channel, which answers 503 and the gateway retries.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_HISTORY_TURNS = 5
MISSING_DOMAIN = 449
KEEPALIVE_SECONDS = 3.0
RULE_MEMO_SIZE = 20000
VALIDATE_SLOT_MAPPINGS = "action_validate_slot_mappings"  # Rasa's global validation action


def install() -> None:
    _install_states()
    _install_copies()
    _install_rule_keys()
    _install_debug_formatting()
    _install_action_calls()
    _install_event_types()
    _install_graph_runs()
    _install_domain_is_empty()
    _install_intent_features()
    _install_strict_tracker_store()


# -- states --------------------------------------------------------------------------------


def _install_states() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_ext.applied import applied_events
    from rasa_ext.states import states_for_tracker_history

    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]


def _install_copies() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_ext.copying import make_copy

    DialogueStateTracker.copy = make_copy(DialogueStateTracker.copy)  # type: ignore[method-assign]


# -- rule matching --------------------------------------------------------------------------


def _install_rule_keys() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    longest_of: dict[int, tuple[Any, int]] = {}
    memo: dict[tuple[int, str], set[str]] = {}

    def _get_possible_keys(self: Any, lookup: dict[str, str], states: list[Any]) -> set[str]:
        known = longest_of.get(id(lookup))
        if known is None or known[0] is not lookup:
            size = max((len(self._rule_key_to_state(key)) for key in lookup), default=0)
            known = longest_of[id(lookup)] = (lookup, size)
        longest = known[1]
        if longest == 0:
            return set()
        # the answer depends only on the last ``longest`` states: the same tail (common -
        # the same intent after the same action) is answered from memory
        tail = json.dumps([len(states) > longest, states[-longest:]], sort_keys=True)
        key = (id(lookup), tail)
        if key not in memo:
            if len(memo) > RULE_MEMO_SIZE:
                memo.clear()
            memo[key] = _possible_keys(self, lookup, states, longest)
        return set(memo[key])

    def _possible_keys(
        self: Any, lookup: dict[str, str], states: list[Any], longest: int
    ) -> set[str]:
        possible_keys = set(lookup.keys())
        for i, state in enumerate(reversed(states)):
            if i >= longest:  # every remaining rule is applicable from here on
                break
            possible_keys = {
                key for key in possible_keys if self._is_rule_applicable(key, i, state)
            }
            if not possible_keys:
                break
        return possible_keys

    RulePolicy._get_possible_keys = _get_possible_keys  # type: ignore[method-assign]
    _install_rule_prediction()


def _install_rule_prediction() -> None:
    """``RulePolicy._rule_prediction`` asks whether the rule that fired is one of the
    rules not in stories (670 long strings here) with ``in`` on a list, several times per
    prediction; here on a set made once per list (the same answer)."""
    from rasa.core.policies.policy import PolicyPrediction
    from rasa.core.policies.rule_policy import RULES_NOT_IN_STORIES, RulePolicy
    from rasa.shared.core.events import LoopInterrupted

    sets: dict[int, tuple[Any, int, frozenset[Any]]] = {}

    def not_in_stories(listed: Any, source: Any) -> bool:
        known = sets.get(id(listed))
        if known is None or known[0] is not listed or known[1] != len(listed):
            if len(sets) > 16:  # one lookup per loaded model
                sets.clear()
            known = sets[id(listed)] = (listed, len(listed), frozenset(listed))
        try:
            return source in known[2]
        except TypeError:  # not hashable: the list's own answer
            return source in listed

    def _rule_prediction(
        self: Any,
        probabilities: list[float],
        prediction_source: str,
        returning_from_unhappy_path: bool = False,
        is_end_to_end_prediction: bool = False,
        is_no_user_prediction: bool = False,
    ) -> Any:
        listed = self.lookup.get(RULES_NOT_IN_STORIES, [])
        return PolicyPrediction(
            probabilities,
            self.__class__.__name__,
            self.priority,
            events=[LoopInterrupted(True)] if returning_from_unhappy_path else [],
            is_end_to_end_prediction=is_end_to_end_prediction,
            is_no_user_prediction=is_no_user_prediction,
            hide_rule_turn=not_in_stories(listed, prediction_source),
        )

    RulePolicy._rule_prediction = _rule_prediction  # type: ignore[method-assign]


def _debugging() -> bool:
    return logging.getLogger("rasa").isEnabledFor(logging.DEBUG)


def _install_debug_formatting() -> None:
    """Rasa formats and deep-copies whole dialogue histories as arguments of debug log
    calls, whatever the log level; here only when debug logging is on."""
    import copy as stdlib_copy
    from types import SimpleNamespace

    from rasa.core import processor
    from rasa.core.policies import memoization, rule_policy
    from rasa.core.policies.policy import Policy

    original = Policy.format_tracker_states

    def format_tracker_states(states: list[Any]) -> str:
        return original(states) if _debugging() else ""

    def deepcopy(value: Any, memo: Any = None) -> Any:
        return stdlib_copy.deepcopy(value, memo) if _debugging() else value

    Policy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]
    # in these modules ``copy.deepcopy`` is only ever an argument of a debug log call
    for module in (processor, memoization, rule_policy):
        module.copy = SimpleNamespace(deepcopy=deepcopy, copy=stdlib_copy.copy)  # type: ignore[attr-defined]


# -- action calls ---------------------------------------------------------------------------


def events_for_action(tracker: Any, turns: int) -> list[Any]:
    """The events since the ``turns``-th last user message (all of them if fewer)."""
    from rasa.shared.core.events import UserUttered

    events = list(tracker.events)
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == turns:
                return events[index:]
    return events


def event_for_action(event: Any) -> dict[str, Any]:
    """``event.as_dict()`` without its ``metadata`` (and a user message's
    ``parse_data.metadata``): Rasa's model and assistant ids on every event, and each
    earlier message's signed principal twice - a third of the payload. The actions read
    metadata only from ``tracker.latest_message``, which keeps all of it."""
    data = event.as_dict()  # a new dict each call; nested values are the event's own
    data.pop("metadata", None)
    parse = data.get("parse_data")
    if isinstance(parse, dict) and "metadata" in parse:
        data["parse_data"] = {k: v for k, v in parse.items() if k != "metadata"}
    return data


_DOMAINS: dict[int, tuple[Any, dict[str, Any], str]] = {}


def _domain_payload(domain: Any) -> tuple[dict[str, Any], str]:
    """The domain as JSON and its digest, once per domain object (a model load)."""
    known = _DOMAINS.get(id(domain))
    if known is None or known[0] is not domain:
        as_dict = domain.as_dict()
        digest = hashlib.sha256(json.dumps(as_dict, sort_keys=True).encode()).hexdigest()
        known = _DOMAINS[id(domain)] = (domain, as_dict, digest)
    return known[1], known[2]


def _install_action_calls() -> None:
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig

    sent_domain: set[str] = set()

    def _action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
        options = getattr(self.action_endpoint, "kwargs", None) or {}
        full = set(options.get("full_history_actions") or ())
        turns = int(options.get("history_turns") or DEFAULT_HISTORY_TURNS)
        state = tracker.current_state(EventVerbosity.NONE)
        events = list(tracker.events) if self._name in full else events_for_action(tracker, turns)
        state["events"] = [event_for_action(event) for event in events]
        domain_dict, digest = _domain_payload(domain)
        result = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
            "domain_digest": digest,
        }
        if digest not in sent_domain:
            result["domain"] = domain_dict
        return result

    original_run = RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            events = await original_run(self, output_channel, nlg, tracker, domain)
        except Exception as exc:
            if _status_of(exc) != MISSING_DOMAIN:
                raise
            sent_domain.discard(_domain_payload(domain)[1])  # this server lacks it: send it
            events = await original_run(self, output_channel, nlg, tracker, domain)
        sent_domain.add(_domain_payload(domain)[1])
        if self._name.startswith("validate_") or self._name == VALIDATE_SLOT_MAPPINGS:
            return events  # Rasa reads a returned SlotSet(slot, None) as "checked"/"invalid"
        return drop_noop_resets(events, tracker)

    RemoteAction._action_call_format = _action_call_format  # type: ignore[method-assign]
    RemoteAction.run = run  # type: ignore[method-assign]
    EndpointConfig.request = _pooled_request(EndpointConfig.request, ClientResponseError)


def drop_noop_resets(events: list[Any], tracker: Any) -> list[Any]:
    """``events`` without the ``SlotSet(slot, None)`` of a slot that is empty at that point
    (its value on ``tracker`` as changed by the events before it). From the first event
    that may change slots otherwise (a restart, a rewind, a reset...) on, every event is
    kept as it is."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        FollowupAction,
        SlotSet,
    )

    neutral = (ActionExecuted, ActiveLoop, BotUttered, FollowupAction)
    values: dict[str, Any] = {}
    kept: list[Any] = []
    for index, event in enumerate(events):
        if isinstance(event, SlotSet):
            if event.value is None and event.key in tracker.slots:
                now = values[event.key] if event.key in values else tracker.slots[event.key].value
                if now is None:
                    continue
            values[event.key] = event.value
        elif not isinstance(event, neutral):
            return kept + list(events[index:])
        kept.append(event)
    return kept


def _status_of(exc: BaseException) -> int | None:
    seen: BaseException | None = exc
    while seen is not None:
        status = getattr(seen, "status", None)
        if isinstance(status, int):
            return status
        seen = seen.__cause__
    return None


def _dumps(value: Any) -> str:
    """ujson (Rasa's own dependency): the action payload is the largest JSON of a turn."""
    try:
        import ujson

        return str(ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False))
    except (ImportError, OverflowError, TypeError):
        return json.dumps(value)


def _pooled_request(original: Callable[..., Any], response_error: type) -> Callable[..., Any]:
    """``EndpointConfig.request`` with one keep-alive ``aiohttp`` session per endpoint."""
    import asyncio

    import aiohttp

    sessions: dict[tuple[int, int], aiohttp.ClientSession] = {}

    def session_for(endpoint: Any) -> aiohttp.ClientSession:
        key = (id(endpoint), id(asyncio.get_running_loop()))
        session = sessions.get(key)
        if session is None or session.closed:
            from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

            auth = endpoint.basic_auth
            session = aiohttp.ClientSession(
                headers=endpoint.headers,
                auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                # shorter than the servers' idle timeouts: a pooled connection is never
                # reused just as the server closes it
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
                json_serialize=_dumps,
            )
            sessions[key] = session
        return session

    async def request(
        self: Any,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any:
        if self.cafile:  # custom TLS settings: Rasa's own path
            return await original(self, method, subpath, content_type, compress, **kwargs)
        from rasa.utils.endpoints import concat_url

        headers = {"Content-Type": content_type} if content_type else {}
        headers.update(kwargs.pop("headers", None) or {})
        headers.update(self.headers or {})
        async with session_for(self).request(
            method,
            concat_url(self.url, subpath),
            headers=headers,
            params=self.combine_parameters(kwargs),
            compress=compress,
            **kwargs,
        ) as response:
            if response.status >= 400:
                raise response_error(
                    response.status, response.reason, await response.content.read()
                )
            try:
                return await response.json()
            except aiohttp.ContentTypeError:
                return None

    return request


# -- event classes ------------------------------------------------------------------------


def _install_event_types() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        known = found.get(type_name)
        if known is not None:
            return known
        resolved = original(type_name, default)  # unknown names: Rasa's own answer
        if resolved is not None and getattr(resolved, "type_name", None) == type_name:
            found[type_name] = resolved
        return resolved

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]


# -- graph runs -------------------------------------------------------------------------


def run_in_order(graph: dict[str, Any], targets: list[str]) -> tuple[Any, ...]:
    """``dask.get(graph, targets)`` for Rasa's graphs: a task is ``(callable, *keys)``, any
    other value (an input: ``(name, value)``) is itself; each key is computed once."""
    done: dict[str, Any] = {}

    def value(key: str) -> Any:
        if key in done:
            return done[key]
        task = graph[key]
        if type(task) is tuple and task and callable(task[0]):
            args = [value(a) if isinstance(a, str) and a in graph else a for a in task[1:]]
            result = task[0](*args)
        else:
            result = task
        done[key] = result
        return result

    return tuple(value(target) for target in targets)


def _install_graph_runs() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(
        self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
        if inputs:
            self._add_inputs_to_graph(inputs, graph)
        try:
            return dict(run_in_order(graph, run_targets))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    DaskGraphRunner.run = run  # type: ignore[method-assign]


def _install_domain_is_empty() -> None:
    from rasa.shared.core.domain import Domain

    original = Domain.is_empty
    known: dict[int, tuple[Any, bool]] = {}

    def is_empty(self: Any) -> bool:
        kept = known.get(id(self))
        if kept is None or kept[0] is not self:
            if len(known) > 64:  # a served model has one domain; never grow without bound
                known.clear()
            kept = known[id(self)] = (self, original(self))
        return kept[1]

    Domain.is_empty = is_empty  # type: ignore[method-assign]


def _install_intent_features() -> None:
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.shared.nlu.constants import TEXT
    from scipy.sparse import csr_matrix, hstack

    original = LogisticRegressionClassifier._create_X

    def sentence_features(message: Any) -> Any:
        """``message.get_sparse_features(TEXT)[1].features`` without building what that
        call also builds and the classifier never reads: a deep copy of the first
        featurizer's sentence features, and the whole combined sequence (token) matrix."""
        _, sentence = message._filter_sparse_features(TEXT, [])
        if not sentence:
            return None
        if len(sentence) == 1:
            return sentence[0].features
        return hstack([f.features for f in sentence])  # the featurizers' blocks in order

    def _create_X(self: Any, messages: list[Any]) -> Any:
        if len(messages) == 1:
            sparse = sentence_features(messages[0])
            dense = messages[0].get_dense_features(attribute=TEXT)[1]
            if sparse is not None and dense is None:
                features = csr_matrix(sparse)
                # stacking beside the empty (float64) dense block made it float64
                return features.astype(np.result_type(features.dtype, np.float64))
        return original(self, messages)

    LogisticRegressionClassifier._create_X = _create_X  # type: ignore[method-assign]
    _install_intent_probabilities()


def multinomial_probabilities(clf: Any, X: Any, transposed: Any) -> Any:
    """``clf.predict_proba(X)`` of a fitted multinomial ``LogisticRegression`` for a CSR
    float64 ``X``, with ``transposed`` = ``clf.coef_.T`` laid out row by row: scipy's
    sparse-times-dense copies a column-major right operand (``coef_.T`` of ~200k numbers)
    on every call before the same sums; here the copy is made once. Then sklearn's own
    steps (decision function + intercept, softmax) on the same numbers."""
    import numpy as np

    scores = X @ transposed + clf.intercept_
    scores -= np.max(scores, axis=1).reshape((-1, 1))
    np.exp(scores, scores)
    scores /= np.sum(scores, axis=1).reshape((-1, 1))
    return scores


def _install_intent_probabilities() -> None:
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        RANKING_LENGTH,
        LogisticRegressionClassifier,
    )
    from scipy.sparse import isspmatrix_csr

    kept: dict[int, tuple[Any, Any]] = {}

    def transposed_of(clf: Any) -> Any:
        known = kept.get(id(clf))
        if known is None or known[0] is not clf:
            if len(kept) > 16:  # one classifier per loaded model
                kept.clear()
            known = kept[id(clf)] = (clf, np.ascontiguousarray(clf.coef_.T))
        return known[1]

    def fast_enough(clf: Any, X: Any) -> bool:
        """sklearn's softmax branch (multinomial, 3+ classes) and an input it would take
        as it is (CSR float64, the fitted width)."""
        multinomial = clf.multi_class == "multinomial" or (
            clf.multi_class == "auto" and clf.classes_.size > 2 and clf.solver != "liblinear"
        )
        return (
            multinomial
            and isspmatrix_csr(X)
            and X.dtype == np.float64
            and X.shape[1] == clf.coef_.shape[1]
            and clf.coef_.shape[0] > 1
        )

    def process(self: Any, messages: list[Any]) -> list[Any]:
        X = self._create_X(messages)
        clf = self.clf
        if fast_enough(clf, X):
            probas = multinomial_probabilities(clf, X, transposed_of(clf))
        else:
            probas = clf.predict_proba(X)
        for idx, message in enumerate(messages):  # the rest as Rasa 3.6's own ``process``
            intents = clf.classes_
            intent_ranking = [
                {"name": k, "confidence": v} for k, v in zip(intents, probas[idx], strict=False)
            ]
            sorted_ranking = sorted(intent_ranking, key=lambda e: -e["confidence"])
            intent = sorted_ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                sorted_ranking = sorted_ranking[: self.config[RANKING_LENGTH]]
            message.set("intent", intent, add_to_output=True)
            message.set("intent_ranking", sorted_ranking, add_to_output=True)
        return messages

    LogisticRegressionClassifier.process = process  # type: ignore[method-assign]


# -- tracker store errors -------------------------------------------------------------------


def _install_strict_tracker_store() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    async def retrieve(self: Any, sender_id: str) -> Any:
        return await self._tracker_store.retrieve(sender_id)

    async def save(self: Any, tracker: Any) -> None:
        await self._tracker_store.save(tracker)

    FailSafeTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.save = save  # type: ignore[method-assign]
