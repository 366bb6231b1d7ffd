"""Run in .venv-rasa with a trained model: the fast path's intent features give the
classifier the same matrix and the same intent ranking as Rasa's own, and its intent
probabilities are sklearn's ``predict_proba`` to the last bit (test_fastpath.py).

``python tests/rasa_ext/intent_features_check.py <model.tar.gz> <nlu texts file>`` prints
one JSON line: how many messages were compared, and the first mismatch if any.
"""

from __future__ import annotations

import asyncio
import json
import sys

import numpy as np
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

ORIGINAL = LogisticRegressionClassifier._create_X

from rasa_ext import fastpath  # noqa: E402

fastpath.install()
PATCHED = LogisticRegressionClassifier._create_X


async def main() -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(sys.argv[1])
    texts = [t for t in open(sys.argv[2]).read().splitlines() if t.strip()]
    seen: list[bool] = []
    sparse_only: list[int] = []

    def both(self, messages):
        fast, slow = PATCHED(self, messages), ORIGINAL(self, messages)
        same = (
            fast.shape == slow.shape
            and fast.dtype == slow.dtype
            and (fast.indptr == slow.indptr).all()
            and (fast.indices == slow.indices).all()
            and (fast.data == slow.data).all()
            and (self.clf.predict_proba(fast) == self.clf.predict_proba(slow)).all()
            and (
                fastpath.multinomial_probabilities(
                    self.clf, fast, np.ascontiguousarray(self.clf.coef_.T)
                )
                == self.clf.predict_proba(slow)
            ).all()
        )
        seen.append(same)
        if len(messages) == 1 and messages[0].get_dense_features(attribute="text")[1] is None:
            sparse_only.append(1)
        return fast

    LogisticRegressionClassifier._create_X = both
    for text in texts:
        await agent.parse_message(text)
    bad = [texts[i] for i, same in enumerate(seen) if not same]
    report = {"compared": len(seen), "sparse_only": len(sparse_only)}
    print(json.dumps({**report, "mismatch": bad[:1]} if bad else report))


asyncio.run(main())
