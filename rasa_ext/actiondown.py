"""An action server that cannot be reached is said, never met with silence.

Rasa runs a custom action by calling the action server; when that call fails (the server
is restarting, was killed, answered 500 or timed out) Rasa logs the error, drops the
action's events and goes on predicting: the staff member gets no answer at all and does
not know whether anything was done. Here the failure becomes one clear answer for the
turn (custom kind ``actions_unavailable``, retryable), and the turn ends there:

- the server could not be reached (nothing ran): "nothing was done, send it again";
- it failed after being reached (it may have done part of it): "check before sending it
  again" - a write may have been made, so the user is not told it was not.

A second failure in the same turn says nothing more. A form's validation call that fails
gets the same answer (the form asks its question again afterwards). No message text or
slot value is logged: the action's name and the kind of failure only.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

KIND = "actions_unavailable"
RETRY_AFTER_SECONDS = 10
NOT_REACHED = (
    "Sorry - part of the assistant is restarting, so I couldn't do that: nothing was done. "
    f"Please send it again in about {RETRY_AFTER_SECONDS} seconds."
)
FAILED = (
    "Sorry - something went wrong while I was doing that, and I can't tell whether it was "
    "done. Please check before sending it again, or ask the help desk."
)


def unavailable_reply(reached: bool) -> dict[str, Any]:
    """The ``BotUttered`` data (text and custom) for a failed action call."""
    return {
        "text": FAILED if reached else NOT_REACHED,
        "custom": {
            "phi": False,
            "kind": KIND,
            "data": {"reached": reached, "retry_after": RETRY_AFTER_SECONDS},
        },
    }


def said_this_turn(events: list[Any]) -> bool:
    """The failure was already said since the latest user message."""
    from rasa.shared.core.events import BotUttered, UserUttered

    for event in reversed(events):
        if isinstance(event, UserUttered):
            return False
        if (
            isinstance(event, BotUttered)
            and (event.data or {}).get("custom", {}).get("kind") == KIND
        ):
            return True
    return False


def install() -> None:
    """Wrap ``RemoteAction.run``: a failed call answers ``actions_unavailable`` once."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import BotUttered, FollowupAction
    from rasa.shared.exceptions import RasaException

    original_run = RemoteAction.run
    if getattr(original_run, "_hms_actiondown", False):
        return

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await original_run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # the action itself declined (a form's own rejection): Rasa's to handle
        except RasaException as exc:
            reached = "Couldn't connect" not in str(exc)
            log.error(
                "action %s failed (%s)", self.name(), "server error" if reached else "unreachable"
            )
            if said_this_turn(list(tracker.events)):
                return [FollowupAction(ACTION_LISTEN_NAME)]
            reply = unavailable_reply(reached)
            said = BotUttered(reply["text"], {"custom": reply["custom"]})
            return [said, FollowupAction(ACTION_LISTEN_NAME)]

    run._hms_actiondown = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]
