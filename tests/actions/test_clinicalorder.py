"""A clinical order is out of scope, said plainly, whatever NLU read it as."""

from __future__ import annotations

import pytest

from actions.beds import ActionCheckBedAvailability
from actions.clinicalorder import orders_clinically
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("can you order bloods for bed 5", True),
        ("request a CT scan for bed 3", True),
        ("prescribe antibiotics for 4B bed 2", True),
        ("order an x-ray for her", True),
        ("get a porter to take bed 5 to x-ray", False),
        ("is bed 5 free", False),
        ("book Emily Lloyd into cardiology", False),
        ("porter to collect bloods from 4B", False),
    ],
)
def test_clinicalorder_only_an_order_of_a_test_scan_or_treatment(text, order):
    assert orders_clinically(text) is order


async def test_clinicalorder_order_bloods_read_as_a_bed_question_is_declined(services):
    # 'can you order bloods for bed 5' -> "4B Bed 5 is not free: occupied."
    trk = tracker(
        "n.jones",
        intent="check_bed_availability",
        text="can you order bloods for bed 5",
        slots={"ward": "4B", "bed": "5"},
    )
    messages, _ = await run(ActionCheckBedAvailability(), trk)
    assert [m["custom"]["kind"] for m in messages] == ["out_of_scope_answer"]
    assert messages[0]["custom"]["data"] == {"order": True}
