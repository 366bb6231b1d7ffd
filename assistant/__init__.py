"""HMS Staff Assistant: runtime package (channels, HMS client, RBAC, audit, handoff, store)."""

__version__ = "0.1.0"
