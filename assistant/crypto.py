"""Encryption at rest for transcripts and ticket message bodies (Fernet / MultiFernet).

Keys come from ``ASSISTANT_DATA_KEY`` (comma-separated, newest first) or a key file
(``ASSISTANT_DATA_KEY_FILE``: one key per line, newest first, ``#`` comments). New data is
always encrypted with the newest key; older keys only decrypt. To rotate: put a new key in
front, run ``python -m assistant privacy rotate-key``, then drop the old key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = [
    "CryptoError",
    "DataCipher",
    "DecryptError",
    "data_keys_from_env",
    "generate_key",
    "key_id",
    "load_keys",
]

DATA_KEY_ENV = "ASSISTANT_DATA_KEY"
DATA_KEY_FILE_ENV = "ASSISTANT_DATA_KEY_FILE"


class CryptoError(Exception):
    """No usable data key, or a token that cannot be decrypted."""


class DecryptError(CryptoError):
    """The token was not made by any configured key, or was altered."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def key_id(key: str) -> str:
    """A short, non-secret fingerprint of a key (stored beside each encrypted row)."""
    return hashlib.sha256(b"hms-data-key:" + key.encode()).hexdigest()[:12]


def parse_keys(text: str) -> list[str]:
    """Keys from a comma- or newline-separated list (comments with ``#``)."""
    keys: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        keys.extend(part.strip() for part in line.split(",") if part.strip())
    return keys


def load_keys(value: str | None, key_file: str | os.PathLike[str] | None) -> list[str]:
    """The one key loader: keys from ``value`` or, if it is empty, from ``key_file``.

    Used for the data keys by every process (assistant store, Rasa's tracker store, the
    privacy CLI) and for the audit keys, so a key file works everywhere or nowhere.
    """
    keys = parse_keys(value or "")
    if not keys and key_file:
        path = Path(key_file)
        if not path.is_file():
            raise CryptoError(f"key file not found: {path}")
        keys = parse_keys(path.read_text())
    return keys


def data_keys_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """Data keys from ``ASSISTANT_DATA_KEY`` or ``ASSISTANT_DATA_KEY_FILE`` (newest first)."""
    env = os.environ if environ is None else environ
    return load_keys(env.get(DATA_KEY_ENV), env.get(DATA_KEY_FILE_ENV) or None)


class DataCipher:
    """Encrypt/decrypt text with the newest key; decrypt with any configured key."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise CryptoError(
                "no data key configured: set ASSISTANT_DATA_KEY or ASSISTANT_DATA_KEY_FILE "
                "(generate one with: python -m assistant privacy generate-key)"
            )
        try:
            self._fernets = [Fernet(key.encode()) for key in keys]
        except ValueError as exc:
            raise CryptoError("a data key is not a valid Fernet key") from exc
        self._ids = [key_id(key) for key in keys]
        self._multi = MultiFernet(self._fernets)
        self._pseudonym_key = hashlib.sha256(b"hms-pseudonym:" + keys[0].encode()).digest()

    @classmethod
    def from_settings(cls, settings: Any) -> DataCipher:
        """Keys from ``settings.data_key`` or, if empty, ``settings.data_key_file``."""
        value = getattr(settings, "data_key", "")
        return cls(load_keys(value, getattr(settings, "data_key_file", None)))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DataCipher:
        """Keys from ``ASSISTANT_DATA_KEY`` / ``ASSISTANT_DATA_KEY_FILE`` (processes without
        ``assistant.config``, e.g. Rasa's tracker store)."""
        return cls(data_keys_from_env(environ))

    @property
    def fernet(self) -> MultiFernet:
        """All keys as one ``MultiFernet`` (encrypts with the newest)."""
        return self._multi

    def newest_decrypts(self, token: str) -> bool:
        """True when the newest key made ``token`` (nothing to rotate)."""
        try:
            self._fernets[0].decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    @property
    def current_key_id(self) -> str:
        return self._ids[0]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._ids)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptError("cannot decrypt: unknown key or altered data") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the newest key (it must decrypt with one of the keys)."""
        try:
            return self._multi.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptError("cannot rotate: unknown key or altered data") from exc

    def key_id_of(self, token: str) -> str:
        """Which configured key made this token."""
        for fernet, ident in zip(self._fernets, self._ids, strict=True):
            try:
                fernet.decrypt(token.encode())
            except InvalidToken:
                continue
            return ident
        raise DecryptError("no configured key decrypts this token")

    def pseudonym(self, value: str) -> str:
        """A stable keyed pseudonym (e.g. for an erased staff member)."""
        digest = hmac.new(self._pseudonym_key, value.encode(), hashlib.sha256).hexdigest()
        return f"erased-{digest[:12]}"
