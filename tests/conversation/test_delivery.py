"""One PHI delivery policy for every channel (docs/architecture.md, "Channels")."""

from __future__ import annotations

import pytest

from assistant.channels.kiosk.render import WITHHELD, render
from assistant.channels.slack.places import Place, choose_delivery
from assistant.conversation import Reply
from assistant.conversation.delivery import Handling, Surface, handling, turn_to_asker_only

PHI = Reply(
    "Mary Smith (MRN 10004821) is on Ward 4B, Bay 1, 4B Bed 6.",
    custom={
        "phi": True,
        "kind": "locate_patient_success",
        "data": {"initials": "MS", "mrn_last4": "4821", "ward": "4B", "room": "Bay 1",
                 "bed": "4B Bed 6"},
    },
)  # fmt: skip
PLAIN = Reply("3 free beds on Ward 4B.", custom={"phi": False, "kind": "x", "data": {}})


@pytest.mark.parametrize(
    ("surface", "phi", "plain"),
    [
        (Surface.PRIVATE, Handling.AS_IS, Handling.AS_IS),
        (Surface.SHARED_CHANNEL, Handling.TO_ASKER_ONLY, Handling.AS_IS),
        (Surface.SHARED_SCREEN, Handling.MINIMUM_NECESSARY, Handling.AS_IS),
    ],
)
def test_delivery_handling_per_surface(surface, phi, plain):
    assert handling(PHI, surface) is phi
    assert handling(PLAIN, surface) is plain


def test_delivery_one_phi_reply_sends_the_whole_channel_turn_to_the_asker():
    assert turn_to_asker_only([PLAIN, PHI], Surface.SHARED_CHANNEL)
    assert not turn_to_asker_only([PLAIN, PHI], Surface.PRIVATE)
    assert not turn_to_asker_only([PLAIN], Surface.SHARED_CHANNEL)


def test_delivery_slack_follows_the_policy():
    channel = Place("C0WARD4B")
    assert choose_delivery(channel, "U0NJONES", [PLAIN, PHI]).ephemeral_to == "U0NJONES"
    assert choose_delivery(channel, "U0NJONES", [PLAIN]).ephemeral_to is None
    assert choose_delivery(Place("D0NJONES"), "U0NJONES", [PHI]).ephemeral_to is None


def test_delivery_kiosk_shows_the_minimum_necessary():
    shown = render(PHI)
    assert shown.text == "Patient MS, MRN ending 4821: ward 4B, Bay 1, bed 4B Bed 6."
    assert "Mary" not in shown.text + shown.speech and "10004821" not in shown.text
    without_facts = Reply(PHI.text, custom={"phi": True, "kind": "k", "data": {}})
    assert render(without_facts).text == WITHHELD
    assert render(PLAIN).text == PLAIN.text
