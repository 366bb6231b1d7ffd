"""The one made-up hospital of the tests: the demo staff of ``hms/seed_data.py`` as the
assistant's HMS client reads them from the seeded reference HMS (``Staff``: the seed's
practitioner ids, display names, e-mail addresses, a nurse's ward, a clinician's clinic).

Fakes (the action server's ``FakeHms``, the fake Slack workspace, the Slack and help-desk
kits) take their people from here, so a unit test and a stack test talk about the same
staff."""

from __future__ import annotations

from dataclasses import replace

from assistant.hms.models import Staff
from hms.fhir import EMAIL_DOMAIN
from hms.seed import practitioner_id
from hms.seed_data import NAMED_STAFF, NURSE_NAMES, WARDS

# The seed's first ward nurse (hms/seed.py: wards in order, two nurses each, n.jones the
# other one on 4B); in the tests she has since left: the HMS keeps the account, inactive.
LEFT = f"{NURSE_NAMES[0][0][0].lower()}.{NURSE_NAMES[0][1].lower()}"


def _staff(username: str, prefix: str | None, given: str, family: str, role: str,
           where: str | None) -> Staff:  # fmt: skip
    return Staff(
        practitioner_id(username),
        username,
        " ".join(p for p in (prefix, given, family) if p),
        f"{username}@{EMAIL_DOMAIN}",
        frozenset({role}),
        frozenset({where}) if role == "nurse" and where else frozenset(),
        specialties=frozenset({where}) if role == "clinician" and where else frozenset(),
    )


def demo_staff() -> dict[str, Staff]:
    """Every named member of the demo hospital by username, and the nurse who left."""
    staff = {row[0]: _staff(*row) for row in NAMED_STAFF}
    posts = [w[0] for w in WARDS for _ in range(2)]
    posts.remove("4B")
    given, family = NURSE_NAMES[0]
    staff[LEFT] = replace(_staff(LEFT, None, given, family, "nurse", posts[0]), active=False)
    return staff
