"""Where a reply carrying PHI may go: one policy for every channel (docs/architecture.md).

- ``PRIVATE``: only the asker reads it (the REST caller's answer, a Slack DM, a Slack
  ephemeral message): every reply as it is.
- ``SHARED_CHANNEL``: others can read it (a post in a Slack channel): a turn with any PHI
  reply goes to the asker alone instead (DM or ephemeral), never as a plain post.
- ``SHARED_SCREEN``: others can see or hear it (the ward kiosk): a PHI reply is shown as the
  minimum necessary, rebuilt from its facts (room and bed, initials, last four digits of
  the MRN), or withheld when it cannot be.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from assistant.conversation.replies import Reply


class Surface(StrEnum):
    PRIVATE = "private"
    SHARED_CHANNEL = "shared_channel"
    SHARED_SCREEN = "shared_screen"


class Handling(StrEnum):
    AS_IS = "as_is"
    TO_ASKER_ONLY = "to_asker_only"
    MINIMUM_NECESSARY = "minimum_necessary"


def handling(reply: Reply, surface: Surface) -> Handling:
    """How ``reply`` may be delivered on ``surface``."""
    if not reply.phi or surface is Surface.PRIVATE:
        return Handling.AS_IS
    if surface is Surface.SHARED_CHANNEL:
        return Handling.TO_ASKER_ONLY
    return Handling.MINIMUM_NECESSARY


def turn_to_asker_only(replies: Iterable[Reply], surface: Surface) -> bool:
    """Whether a whole turn must go to the asker alone (one PHI reply is enough)."""
    return any(handling(r, surface) is Handling.TO_ASKER_ONLY for r in replies)
