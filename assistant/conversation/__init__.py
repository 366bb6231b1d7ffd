"""What the assistant says, independent of where it is said: the ``Assistant`` port every
channel talks to, its ``Reply`` and ``Button``, the typed facts of each reply kind
(``kinds``) and where a reply carrying PHI may be shown (``delivery``).

A neutral package: channels, the gateway, the help-desk handoff, the safety net and the
adoption features all import it; it imports none of them.
"""

from assistant.conversation.ports import Assistant, current_message_id
from assistant.conversation.replies import Button, Reply

__all__ = ["Assistant", "Button", "Reply", "current_message_id"]
