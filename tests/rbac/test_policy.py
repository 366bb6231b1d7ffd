"""The shipped role policy: least privilege per role, ward scope, file validation."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.rbac.policy import PolicyError, load_policy, policy_from_dict

ROLES = (
    "nurse",
    "clinician",
    "scheduler",
    "porter",
    "helpdesk",
    "bed_manager",
    "housekeeping",
    "admin",
)
REQUIRED = (
    "appointments:book",
    "appointments:cancel",
    "appointments:read",
    "beds:read",
    "beds:update",
    "patients:locate",
    "help:request",
    "help:read",
    "handoff:request",
    "handoff:claim",
    "audit:read",
    "breakglass:use",
)


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def test_policy_declares_all_roles_and_permissions(policy):
    assert set(ROLES) <= set(policy.roles)
    assert set(REQUIRED) <= set(policy.permissions)


def test_policy_is_frozen(policy):
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.roles = {}


@pytest.mark.parametrize("role", ROLES)
def test_policy_everyone_can_ask_for_help_and_a_human(policy, role):
    for perm in ("help:request", "help:read", "handoff:request"):
        assert policy.allows([role], perm)


def test_policy_roles_with_booking(policy):
    assert policy.roles_with("appointments:book") == ("nurse", "clinician", "scheduler")


def test_policy_porter_cannot_touch_patients_or_appointments(policy):
    for perm in ("appointments:book", "patients:locate", "beds:update", "audit:read"):
        assert not policy.allows(["porter"], perm)
    assert policy.allows(["porter"], "beds:read")


def test_policy_scheduler_has_appointments_only(policy):
    assert policy.permissions_for(["scheduler"]) == {
        "appointments:book",
        "appointments:cancel",
        "appointments:read",
        "clinics:read",
        "help:request",
        "help:read",
        "handoff:request",
    }


def test_policy_only_helpdesk_reads_everyones_help_requests(policy):
    assert policy.roles_with("help:read_all") == ("helpdesk",)


def test_policy_only_helpdesk_claims_handoffs(policy):
    assert policy.roles_with("handoff:claim") == ("helpdesk",)


def test_policy_unknown_role_grants_nothing(policy):
    assert policy.permissions_for(["visitor"]) == frozenset()
    assert not policy.allows(["visitor"], "help:request")


def test_policy_ward_scope_flags(policy):
    assert policy.is_ward_scoped("patients:locate")
    assert policy.is_ward_scoped("beds:update")
    assert not policy.is_ward_scoped("beds:read")
    with pytest.raises(PolicyError):
        policy.is_ward_scoped("nope:nope")


def test_policy_nurse_locates_only_on_own_wards(policy):
    assert policy.allows_on_ward(["nurse"], "patients:locate", "4B", {"4B", "5A"})
    assert policy.allows_on_ward(["nurse"], "patients:locate", "4b", {"4B"})
    assert not policy.allows_on_ward(["nurse"], "patients:locate", "7C", {"4B"})


def test_policy_bed_manager_covers_all_wards(policy):
    assert policy.covers_all_wards(["bed_manager"])
    assert policy.allows_on_ward(["bed_manager"], "patients:locate", "7C", set())


def test_policy_all_wards_only_for_permissions_that_role_grants(policy):
    # housekeeping covers all wards for beds, but that must not widen a nurse's
    # patient lookups when one person holds both roles
    roles = ["nurse", "housekeeping"]
    assert policy.covers_all_wards(roles)
    assert not policy.covers_all_wards(roles, "patients:locate")
    assert not policy.allows_on_ward(roles, "patients:locate", "7C", {"4B"})
    assert policy.allows_on_ward(roles, "beds:update", "7C", {"4B"})


def test_policy_rejects_undeclared_permission_in_role():
    with pytest.raises(PolicyError):
        policy_from_dict({"permissions": {"a:b": {}}, "roles": {"x": {"permissions": ["c:d"]}}})


def test_policy_rejects_badly_named_permission():
    with pytest.raises(PolicyError):
        policy_from_dict({"permissions": {"read": {}}, "roles": {}})


def test_policy_clinic_lists_for_schedulers_and_clinicians_ward_lists_for_ward_nurses(policy):
    assert set(policy.roles_with("clinics:read")) == {"scheduler", "clinician"}
    assert policy.roles_with("patients:list") == ("nurse",)
    assert policy.allows_on_ward(["nurse"], "patients:list", "4B", {"4B"})
    assert not policy.allows_on_ward(["nurse"], "patients:list", "7", {"4B"})


def test_policy_porters_and_housekeeping_handle_their_own_help_types(policy):
    assert policy.help_types_handled(["porter"]) == {"porter"}
    assert policy.help_types_handled(["housekeeping"]) == {"housekeeping"}
    assert policy.help_types_handled(["nurse"]) == frozenset()
    assert set(policy.roles_with("help:work")) == {"porter", "housekeeping"}
