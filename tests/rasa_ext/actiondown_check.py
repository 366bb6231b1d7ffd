"""Run in .venv-rasa: a custom action whose server is down is answered (test_actiondown.py).

``python tests/rasa_ext/actiondown_check.py <url>`` runs one remote action against ``url``
twice in the same turn and prints the events of each run as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from rasa_ext import actiondown


async def main(url: str) -> None:
    actiondown.install()
    domain = Domain.from_dict({"actions": ["action_new_request"]})
    tracker = DialogueStateTracker.from_events("s1", [UserUttered("any free beds on 4B")])
    action = RemoteAction("action_new_request", EndpointConfig(url))
    out = []
    for _ in range(2):
        events = await action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain
        )
        out.append([e.as_dict() for e in events])
        for event in events:
            tracker.update(event)
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
