"""Keys for in-process tests (the same values tests/conftest.py puts in the environment)."""

from __future__ import annotations

import os

from assistant.audit.keys import AuditKeys

AUDIT_KEY = os.environ.get("ASSISTANT_AUDIT_KEY", "test-audit-key-0123456789abcdefghijklmnop")
AUDIT_KEYS = AuditKeys((AUDIT_KEY,))
