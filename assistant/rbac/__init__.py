"""Role-based access control: the role policy (data) and its checks."""

from assistant.rbac.policy import Policy, PolicyError, load_policy

__all__ = ["Policy", "PolicyError", "load_policy"]
