"""'Which wards are there?' / 'list the clinics': the directory's names, no patient data,
audited like any other read."""

from __future__ import annotations

import pytest

from actions.places import ActionListPlaces, asked_for
from actions.services import set_services
from tests.actions.fakes import make_services, run, tracker


@pytest.fixture(autouse=True)
def services():
    svc = make_services()
    set_services(svc)
    return svc


@pytest.mark.parametrize(
    ("text", "wards", "clinics"),
    [
        ("which wards are there", True, False),
        ("list the clinics", False, True),
        ("what departments can I book", False, True),
        ("what wards and clinics are there", True, True),
        ("what is there?", True, True),
    ],
)
def test_places_what_is_asked_for(text, wards, clinics):
    assert asked_for(text) == (wards, clinics)


async def test_places_wards_are_named_from_the_directory_and_audited(services):
    trk = tracker("h.lee", intent="list_places", text="which wards are there")
    messages, _ = await run(ActionListPlaces(), trk)
    [reply] = messages
    codes = sorted(w.code for w in await services.hms.list_wards())
    assert reply["custom"]["kind"] == "list_places_success"
    assert reply["custom"]["data"] == {"wards": codes}
    assert all(code in reply["text"] for code in codes) and "Clinic" not in reply["text"]
    event = services.audit.events[-1]
    assert (event.intent, event.outcome, event.patient_ref) == ("list_places", "success", None)


async def test_places_clinics_are_named_not_the_wards(services):
    trk = tracker("n.jones", intent="list_places", text="which clinics are there?")
    messages, _ = await run(ActionListPlaces(), trk)
    assert messages[0]["custom"]["data"] == {"clinics": ["cardiology"]}
    assert "Cardiology Clinic" in messages[0]["text"]
