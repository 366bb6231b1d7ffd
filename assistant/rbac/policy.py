"""The role policy: which staff role may use which permission, and on which wards.

The policy is data (``policy.yml`` beside this module); this module only loads and checks
it. Roles are HMS PractitionerRole codes; a staff member may hold several. A ward-scoped
permission is allowed on any ward only when one of the roles *granting that permission*
has ``all_wards``; otherwise only on the staff member's own wards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intents import yamlfile

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.yml")


class PolicyError(ValueError):
    """The policy file is malformed or refers to an undeclared permission."""


@dataclass(frozen=True)
class PermissionSpec:
    name: str
    description: str
    ward_scoped: bool
    phi: bool


@dataclass(frozen=True)
class RoleSpec:
    name: str
    description: str
    all_wards: bool
    permissions: frozenset[str]
    handles: frozenset[str] = frozenset()  # help types (Task codes) whose jobs the role does


@dataclass(frozen=True)
class Policy:
    permissions: Mapping[str, PermissionSpec]
    roles: Mapping[str, RoleSpec]

    def allows(self, roles: Iterable[str], permission: str) -> bool:
        """True when any of ``roles`` grants ``permission`` (unknown roles grant nothing)."""
        return any(permission in spec.permissions for spec in self._specs(roles))

    def permissions_for(self, roles: Iterable[str]) -> frozenset[str]:
        granted: set[str] = set()
        for spec in self._specs(roles):
            granted |= spec.permissions
        return frozenset(granted)

    def help_types_handled(self, roles: Iterable[str]) -> frozenset[str]:
        """The help types (porter, housekeeping, ...) whose jobs ``roles`` do."""
        handled: set[str] = set()
        for spec in self._specs(roles):
            handled |= spec.handles
        return frozenset(handled)

    def roles_with(self, permission: str) -> tuple[str, ...]:
        """Roles granting ``permission``, in policy-file order."""
        return tuple(name for name, spec in self.roles.items() if permission in spec.permissions)

    def is_ward_scoped(self, permission: str) -> bool:
        return self._permission(permission).ward_scoped

    def is_phi(self, permission: str) -> bool:
        return self._permission(permission).phi

    def covers_all_wards(self, roles: Iterable[str], permission: str | None = None) -> bool:
        """True when a role (granting ``permission``, if given) is not limited to own wards."""
        return any(
            spec.all_wards and (permission is None or permission in spec.permissions)
            for spec in self._specs(roles)
        )

    def allows_on_ward(
        self, roles: Iterable[str], permission: str, ward: str | None, own_wards: Iterable[str]
    ) -> bool:
        """The full check: permission granted and, if ward-scoped, ``ward`` is reachable.

        ``ward`` None means "no particular ward" and passes the ward check (the action must
        then restrict what it shows to ``own_wards`` itself).
        """
        roles = tuple(roles)
        if not self.allows(roles, permission):
            return False
        if not self.is_ward_scoped(permission) or ward is None:
            return True
        if self.covers_all_wards(roles, permission):
            return True
        wanted = ward.casefold()
        return any(wanted == own.casefold() for own in own_wards)

    def _specs(self, roles: Iterable[str]) -> list[RoleSpec]:
        return [self.roles[r] for r in roles if r in self.roles]

    def _permission(self, permission: str) -> PermissionSpec:
        try:
            return self.permissions[permission]
        except KeyError:
            raise PolicyError(f"unknown permission {permission!r}") from None


def _parse(data: Any) -> Policy:
    if not isinstance(data, dict):
        raise PolicyError("policy must be a mapping")
    raw_perms = data.get("permissions") or {}
    raw_roles = data.get("roles") or {}
    if not isinstance(raw_perms, dict) or not isinstance(raw_roles, dict):
        raise PolicyError("'permissions' and 'roles' must be mappings")
    permissions: dict[str, PermissionSpec] = {}
    for name, body in raw_perms.items():
        body = body or {}
        if ":" not in str(name):
            raise PolicyError(f"permission {name!r} is not named resource:verb")
        permissions[str(name)] = PermissionSpec(
            name=str(name),
            description=str(body.get("description", "")),
            ward_scoped=bool(body.get("ward_scoped", False)),
            phi=bool(body.get("phi", False)),
        )
    roles: dict[str, RoleSpec] = {}
    for name, body in raw_roles.items():
        body = body or {}
        granted = frozenset(str(p) for p in body.get("permissions") or [])
        unknown = granted - permissions.keys()
        if unknown:
            raise PolicyError(f"role {name!r} grants undeclared {sorted(unknown)}")
        roles[str(name)] = RoleSpec(
            name=str(name),
            description=str(body.get("description", "")),
            all_wards=bool(body.get("all_wards", False)),
            permissions=granted,
            handles=frozenset(str(h) for h in body.get("handles") or []),
        )
    return Policy(permissions=permissions, roles=roles)


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate the policy file (default: the ``policy.yml`` shipped here)."""
    source = Path(path) if path is not None else DEFAULT_POLICY_PATH
    with source.open(encoding="utf-8") as handle:
        return _parse(yamlfile.safe_load(handle))


def policy_from_dict(data: Mapping[str, Any]) -> Policy:
    """Build a policy from an already-parsed mapping (tests, generated policies)."""
    return _parse(dict(data))
