"""Audit keys: the HMAC keys of the audit chain and the checkpoint signing key made from them.

The keys live outside the database: ``ASSISTANT_AUDIT_KEY`` (comma-separated, newest
first) or ``ASSISTANT_AUDIT_KEY_FILE`` (one per line, ``#`` comments), read by the same
loader as the data keys. New events are hashed with HMAC-SHA256 under the newest key and
record its id; older keys only verify (keep them as long as the events they made are
kept). Checkpoints are signed with Ed25519, its private key derived from the newest audit
key (HKDF), so an auditor can check a checkpoint with the public key alone
(``python -m assistant audit public-key``) while only the key holder can make one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from assistant.audit.events import AuditError
from assistant.crypto import CryptoError, load_keys

MIN_KEY_CHARS = 32
_CHECKPOINT_INFO = b"hms-audit-checkpoint-ed25519"


class AuditKeyError(AuditError):
    """No usable audit key, or an event/checkpoint made with a key that is not configured."""


def generate_audit_key() -> str:
    return secrets.token_urlsafe(32)


def audit_key_id(key: str) -> str:
    """A short, non-secret fingerprint of an audit key (stored on each event)."""
    return hashlib.sha256(b"hms-audit-key:" + key.encode()).hexdigest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass(frozen=True)
class AuditKeys:
    keys: tuple[str, ...]  # newest first

    def __post_init__(self) -> None:
        if not self.keys:
            raise AuditKeyError(
                "no audit key configured: set ASSISTANT_AUDIT_KEY or ASSISTANT_AUDIT_KEY_FILE "
                "(generate one with: python -m assistant audit generate-key)"
            )
        if any(len(key) < MIN_KEY_CHARS for key in self.keys):
            raise AuditKeyError(f"an audit key is shorter than {MIN_KEY_CHARS} characters")

    @classmethod
    def from_settings(cls, settings: Any) -> AuditKeys:
        try:
            keys = load_keys(
                getattr(settings, "audit_key", ""), getattr(settings, "audit_key_file", None)
            )
        except CryptoError as exc:
            raise AuditKeyError(str(exc).replace("key file", "audit key file")) from exc
        return cls(tuple(keys))

    @property
    def current_id(self) -> str:
        return audit_key_id(self.keys[0])

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(audit_key_id(key) for key in self.keys)

    def _key(self, key_id: str) -> str:
        for key in self.keys:
            if audit_key_id(key) == key_id:
                return key
        raise AuditKeyError(f"audit key {key_id} is not configured")

    def mac(self, key_id: str, payload: bytes) -> str:
        """HMAC-SHA256 of ``payload`` under the key with this id (hex)."""
        return hmac.new(self._key(key_id).encode(), payload, hashlib.sha256).hexdigest()

    def _signing_key(self, key_id: str) -> Ed25519PrivateKey:
        seed = HKDF(hashes.SHA256(), 32, salt=None, info=_CHECKPOINT_INFO).derive(
            self._key(key_id).encode()
        )
        return Ed25519PrivateKey.from_private_bytes(seed)

    def sign(self, payload: bytes) -> tuple[str, str]:
        """(key id, signature) over ``payload`` with the newest key's checkpoint key."""
        return self.current_id, _b64(self._signing_key(self.current_id).sign(payload))

    def public_key(self, key_id: str) -> str:
        """The checkpoint verification key for an audit key id (raw Ed25519, base64url)."""
        public = self._signing_key(key_id).public_key()
        return _b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def verify_signature(self, key_id: str, payload: bytes, signature: str) -> bool:
        raw_public = base64.urlsafe_b64decode(self.public_key(key_id) + "==")
        try:
            raw_sig = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            Ed25519PublicKey.from_public_bytes(raw_public).verify(raw_sig, payload)
        except Exception:
            return False
        return True
